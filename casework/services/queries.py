"""Service lists, always from the policy's scoped query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select

from casework.core.extensions import db
from casework.domain import UNFINISHED_SERVICE_STATUSES
from casework.policy import Action, can, visible_note_categories
from casework.services.models import ServiceRecord, SupportPlan
from casework.services.scopes import visible_service_records


def case_services(actor: Any, case: Any) -> list[ServiceRecord]:
    """The case's service records the actor may see: all of them for the owners, a
    provider's own for a partner."""
    query = visible_service_records(actor).where(ServiceRecord.case_id == case.id)
    return list(db.session.execute(query.order_by(ServiceRecord.created_at)).scalars())


def referral_services(actor: Any, referral: Any) -> list[ServiceRecord]:
    query = visible_service_records(actor).where(ServiceRecord.referral_id == referral.id)
    return list(db.session.execute(query.order_by(ServiceRecord.created_at)).scalars())


def service_list(
    actor: Any, *, status: str | None = None, service_type: str | None = None
) -> Select[Any]:
    query = visible_service_records(actor)
    if status:
        query = query.where(ServiceRecord.status == status)
    if service_type:
        query = query.where(ServiceRecord.service_type == service_type)
    return query.order_by(
        ServiceRecord.due_on.is_(None), ServiceRecord.due_on, ServiceRecord.created_at
    )


def support_plan(actor: Any, case: Any) -> SupportPlan | None:
    """The case's support plan, for those who see all its services (the owning agency)."""
    if not can(actor, Action.VIEW_SERVICES, case):
        return None
    return db.session.execute(
        select(SupportPlan).where(SupportPlan.case_id == case.id)
    ).scalar_one_or_none()


@dataclass(frozen=True)
class ServiceFacts:
    """The case overview's facts from the services the actor may see (decision 0115)."""

    open_services: list[ServiceRecord]
    next_appointment: date | None
    last_contact: date | None
    risk_flags: list[str]  # the latest session's flags of each open counselling service


def case_service_facts(actor: Any, case: Any, today: date) -> ServiceFacts:
    """Open services, the next appointment (today or later), the last contact (a session held
    or a note the actor may read) and the risk flags still standing, from the scoped query."""
    records = case_services(actor, case)
    open_records = [r for r in records if r.status in UNFINISHED_SERVICE_STATUSES]
    upcoming: list[date] = []
    contacts: list[date] = []
    flags: set[str] = set()
    for record in records:
        sessions = sorted(record.sessions, key=lambda s: s.held_on)
        contacts.extend(s.held_on for s in sessions)
        if record not in open_records or not sessions:
            continue
        latest = sessions[-1]
        flags.update(latest.risk_flags or [])
        if latest.next_appointment_on is not None and latest.next_appointment_on >= today:
            upcoming.append(latest.next_appointment_on)
    categories = visible_note_categories(actor, case)
    contacts.extend(note.created_at.date() for note in case.notes if note.category in categories)
    return ServiceFacts(
        open_services=open_records,
        next_appointment=min(upcoming, default=None),
        last_contact=max((d for d in contacts if d <= today), default=None),
        risk_flags=sorted(flags),
    )
