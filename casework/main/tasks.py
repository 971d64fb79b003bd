"""Tasks on each user's dashboard: referral answers overdue, services past their due date,
follow-ups missed (a next appointment passed with no session since). Built from the
policy's scoped queries, so a task never names a case the user may not see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from casework.audit.models import AuditEvent
from casework.auth.models import User
from casework.cases.models import Case, PossibleDuplicate
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.domain import UNFINISHED_SERVICE_STATUSES, ReferralStatus
from casework.notifications.operations import link_to
from casework.policy import Action, can
from casework.referrals import expiry
from casework.referrals.models import Referral
from casework.referrals.scopes import visible_referrals
from casework.services.models import CounsellingSession, ServiceRecord
from casework.services.scopes import visible_service_records

LIMIT = 50  # per kind: a dashboard, not a report
DUPLICATE_CHECK_ALERT_DAYS = 7


@dataclass(frozen=True)
class Task:
    # referral_answer, referral_waiting, service_due, follow_up, possible_duplicate,
    # duplicate_checks
    kind: str
    text: str
    case_reference: str  # empty when the task is about no case
    link: str
    since: date


def _day(moment: Any) -> date:
    return moment.date() if hasattr(moment, "date") else date.fromisoformat(str(moment))


def referral_tasks(user: Any) -> list[Task]:
    now = utcnow()
    query = (
        visible_referrals(user)
        .where(
            Referral.status == ReferralStatus.PENDING,
            Referral.created_at > expiry.expiry_cutoff(now),
        )
        .order_by(Referral.created_at)
        .limit(LIMIT * 4)
    )
    tasks = []
    for referral in db.session.execute(query).scalars():
        if not expiry.answer_overdue(referral, now):
            continue
        link = link_to("referrals.view_referral", referral_id=referral.id)
        due = _day(expiry.answer_due_at(referral))
        if referral.to_agency_id == user.agency_id:
            text = _("Answer this referral from %(agency)s", agency=referral.from_agency.name)
            tasks.append(Task("referral_answer", text, referral.case.reference, link, due))
        else:
            text = _("No answer yet from %(agency)s", agency=referral.to_agency.name)
            tasks.append(Task("referral_waiting", text, referral.case.reference, link, due))
    return tasks[:LIMIT]


def service_tasks(user: Any, today: date) -> list[Task]:
    query = (
        visible_service_records(user)
        .where(
            ServiceRecord.status.in_(sorted(UNFINISHED_SERVICE_STATUSES)),
            ServiceRecord.due_on.is_not(None),
            ServiceRecord.due_on < today,
        )
        .order_by(ServiceRecord.due_on)
        .limit(LIMIT)
    )
    from casework.vocab import SERVICE_TYPES

    return [
        Task(
            "service_due",
            _("%(service)s was due", service=SERVICE_TYPES.label(record.service_type)),
            record.case.reference,
            link_to("services.view_service", service_id=record.id),
            record.due_on or today,
        )
        for record in db.session.execute(query).scalars()
    ]


def follow_up_tasks(user: Any, today: date) -> list[Task]:
    later = aliased(CounsellingSession)
    visible = (
        visible_service_records(user)
        .where(ServiceRecord.status.in_(sorted(UNFINISHED_SERVICE_STATUSES)))
        .with_only_columns(ServiceRecord.id)
    )
    query = (
        select(CounsellingSession)
        .where(
            CounsellingSession.service_id.in_(visible.subquery().select()),
            CounsellingSession.next_appointment_on.is_not(None),
            CounsellingSession.next_appointment_on < today,
            ~exists().where(
                and_(
                    later.service_id == CounsellingSession.service_id,
                    later.held_on >= CounsellingSession.next_appointment_on,
                )
            ),
        )
        .order_by(CounsellingSession.next_appointment_on)
        .limit(LIMIT)
    )
    return [
        Task(
            "follow_up",
            _("Appointment missed: no session since"),
            session.case.reference,
            link_to("services.view_service", service_id=session.service_id),
            session.next_appointment_on or today,
        )
        for session in db.session.execute(query).scalars()
    ]


def possible_duplicate_tasks(user: Any) -> list[Task]:
    """A supervisor's: cases registered in other agencies that may concern their cases."""
    if not can(user, Action.HANDLE_POSSIBLE_DUPLICATE):
        return []
    query = (
        select(PossibleDuplicate)
        .join(Case, Case.id == PossibleDuplicate.case_id)
        .where(Case.agency_id == user.agency_id, PossibleDuplicate.handled_at.is_(None))
        .order_by(PossibleDuplicate.found_at)
        .limit(LIMIT)
    )
    return [
        Task(
            "possible_duplicate",
            _(
                "A case registered by %(agency)s on %(date)s may concern this case",
                agency=found.registering_agency.name,
                date=found.found_at.date().isoformat(),
            ),
            found.case.reference,
            link_to("cases.view_possible_duplicate", match_id=found.id),
            _day(found.found_at),
        )
        for found in db.session.execute(query).scalars()
        if can(user, Action.HANDLE_POSSIBLE_DUPLICATE, found)
    ]


def duplicate_check_tasks(user: Any, today: date) -> list[Task]:
    """A supervisor's: colleagues who reached the limit of duplicate checks without
    registering a case in the last week (the audited events, decision 0055)."""
    if not can(user, Action.LIST_AGENCY_CASES):
        return []
    since = utcnow() - timedelta(days=DUPLICATE_CHECK_ALERT_DAYS)
    query = (
        select(User, func.max(AuditEvent.at))
        .join(AuditEvent, AuditEvent.actor_id == User.id)
        .where(
            AuditEvent.action == "case.duplicate_checks_throttled",
            AuditEvent.at >= since,
            User.agency_id == user.agency_id,
            User.id != user.id,
        )
        .group_by(User.id)
        .limit(LIMIT)
    )
    return [
        Task(
            "duplicate_checks",
            _(
                "%(name)s (%(email)s) checked many registrations without saving one: "
                "ask why, and tell an administrator if it was not them",
                name=colleague.name,
                email=colleague.email,
            ),
            "",
            link_to("main.dashboard"),
            _day(last),
        )
        for colleague, last in db.session.execute(query).all()
    ]


def dashboard_tasks(user: Any, today: date | None = None) -> list[Task]:
    """Every task of the user, the oldest first."""
    today = today or utcnow().date()
    tasks = [
        *referral_tasks(user),
        *service_tasks(user, today),
        *follow_up_tasks(user, today),
        *possible_duplicate_tasks(user),
        *duplicate_check_tasks(user, today),
    ]
    return sorted(tasks, key=lambda task: task.since)
