"""Service lists, always from the policy's scoped query."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from casework.core.extensions import db
from casework.policy import Action, can
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
