"""Tasks on each user's home page: referral answers overdue, services past their due date,
follow-ups missed (a next appointment passed with no session since), possible duplicates,
duplicate checks, account approvals. Built from the policy's scoped queries, so a task never
names a case the user may not see; the person's name and the case's risk only where the
policy lets the user see them (visible_field_groups).

Ordered by urgency, then the case's risk, then age (decision 0116): what must be done today
first. A task its owner snoozed (until a day) or marked done (casework/main/models.py:
TaskMark) is left out for them alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from casework.accounts.scopes import awaiting_decision
from casework.audit.models import AuditEvent
from casework.auth.models import User
from casework.cases.models import Case, PossibleDuplicate
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.domain import (
    OPEN_PLAN_STEP_STATUSES,
    UNFINISHED_SERVICE_STATUSES,
    ReferralStatus,
    TransferStatus,
)
from casework.main.models import TaskMark
from casework.notifications.operations import link_to
from casework.policy import Action, can, visible_field_groups
from casework.referrals import expiry
from casework.referrals.models import Referral
from casework.referrals.scopes import visible_referrals
from casework.services.models import CounsellingSession, ServiceRecord
from casework.services.plans.models import PlanApproval, PlanStep
from casework.services.plans.reminders import DUE_SOON_DAYS
from casework.services.plans.scopes import approvals_awaiting, visible_plan_steps
from casework.services.scopes import visible_service_records
from casework.transfers.models import CaseTransfer
from casework.transfers.scopes import visible_transfers
from casework.vocab import (
    PLAN_APPROVAL_KINDS,
    RISK_RANK,
    ROLES,
    ROUTINE_URGENCY,
    SERVICE_TYPES,
    URGENCY_RANK,
)

LIMIT = 50  # per kind: a dashboard, not a report
DUPLICATE_CHECK_ALERT_DAYS = 7
LAST = 9  # the rank of anything without an urgency or a risk the viewer may see

# How soon each kind of task must be done: 0 first. An incoming referral takes its urgency's
# rank (emergency 0, urgent 1, routine 2).
KIND_PRIORITY = {
    "follow_up": 1,
    "service_due": 2,
    "referral_waiting": 3,
    "transfer_answer": 1,  # a person is about to change agency (decision 0091)
    "transfer_waiting": 3,
    "duplicate_checks": 2,
    "possible_duplicate": 3,
    "account_approval": 3,
    "plan_step_overdue": 2,
    "plan_approval": 3,
    "plan_step_due_soon": 4,
}


@dataclass(frozen=True)
class About:
    """What a task or a queue row may say about its case to this viewer."""

    reference: str = ""
    name: str | None = None  # only with the identity group
    risk: str | None = None  # only with the health group
    link: str = ""  # the case page, only when the viewer may open it


def about(user: Any, case: Any) -> About:
    """The case as `user` may see it: the reference always (the row is from a scoped query),
    the name and the risk only with the field groups the policy gives them."""
    if case is None:
        return About()
    groups = visible_field_groups(user, case)
    name = None
    if "identity_contact" in groups and not case.is_erased and case.person is not None:
        name = case.person.full_name
    return About(
        reference=case.reference,
        name=name,
        risk=case.risk_level if "health_notes" in groups else None,
        link=link_to("cases.view_case", case_id=case.id) if groups else "",
    )


@dataclass(frozen=True)
class Task:
    # referral_answer, referral_waiting, transfer_answer, transfer_waiting, service_due,
    # follow_up, possible_duplicate, duplicate_checks, account_approval, plan_step_overdue,
    # plan_step_due_soon, plan_approval
    kind: str
    text: str
    case_reference: str  # empty when the task is about no case
    link: str
    since: date
    key: str = ""  # the kind and the ids it is about: what a snooze or done names
    priority: int = LAST
    case: About = About()
    urgency: str | None = None  # an incoming referral's urgency, when not routine

    @property
    def order(self) -> tuple[int, int, date, str]:
        return (self.priority, RISK_RANK.get(self.case.risk or "", LAST), self.since, self.key)


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
        case = about(user, referral.case)
        if referral.to_agency_id == user.agency_id:
            text = _("Answer this referral from %(agency)s", agency=referral.from_agency.name)
            priority = URGENCY_RANK.get(referral.urgency, LAST)
            key = f"referral_answer:{referral.id}"
            urgency = None if referral.urgency == ROUTINE_URGENCY else referral.urgency
            tasks.append(
                Task(
                    "referral_answer",
                    text,
                    case.reference,
                    link,
                    due,
                    key,
                    priority,
                    case,
                    urgency,
                )
            )
        else:
            text = _("No answer yet from %(agency)s", agency=referral.to_agency.name)
            key = f"referral_waiting:{referral.id}"
            priority = KIND_PRIORITY["referral_waiting"]
            tasks.append(
                Task("referral_waiting", text, case.reference, link, due, key, priority, case)
            )
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
    tasks = []
    for record in db.session.execute(query).scalars():
        case = about(user, record.case)
        tasks.append(
            Task(
                "service_due",
                _("%(service)s was due", service=SERVICE_TYPES.label(record.service_type)),
                case.reference,
                link_to("services.view_service", service_id=record.id),
                record.due_on or today,
                f"service_due:{record.id}:{record.due_on}",
                KIND_PRIORITY["service_due"],
                case,
            )
        )
    return tasks


def _latest_sessions(user: Any) -> Any:
    """The latest counselling session of each unfinished service the user may see."""
    later = aliased(CounsellingSession)
    visible = (
        visible_service_records(user)
        .where(ServiceRecord.status.in_(sorted(UNFINISHED_SERVICE_STATUSES)))
        .with_only_columns(ServiceRecord.id)
    )
    return select(CounsellingSession).where(
        CounsellingSession.service_id.in_(visible.subquery().select()),
        CounsellingSession.next_appointment_on.is_not(None),
        ~exists().where(
            and_(
                later.service_id == CounsellingSession.service_id,
                or_(
                    later.held_on > CounsellingSession.held_on,
                    later.held_on >= CounsellingSession.next_appointment_on,
                ),
            )
        ),
    )


def follow_up_tasks(user: Any, today: date) -> list[Task]:
    query = (
        _latest_sessions(user)
        .where(CounsellingSession.next_appointment_on < today)
        .order_by(CounsellingSession.next_appointment_on)
        .limit(LIMIT)
    )
    tasks = []
    for session in db.session.execute(query).scalars():
        case = about(user, session.case)
        tasks.append(
            Task(
                "follow_up",
                _("Appointment missed: no session since"),
                case.reference,
                link_to("services.view_service", service_id=session.service_id),
                session.next_appointment_on or today,
                f"follow_up:{session.id}",
                KIND_PRIORITY["follow_up"],
                case,
            )
        )
    return tasks


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
            f"possible_duplicate:{found.id}",
            KIND_PRIORITY["possible_duplicate"],
            about(user, found.case),
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
            f"duplicate_checks:{colleague.id}:{_day(last)}",
            KIND_PRIORITY["duplicate_checks"],
        )
        for colleague, last in db.session.execute(query).all()
    ]


def approval_tasks(user: Any) -> list[Task]:
    """Accounts and second-factor resets waiting for this person's approval (decision 0056)."""
    query = awaiting_decision(user).order_by(User.created_at).limit(LIMIT)
    tasks = []
    for account in db.session.execute(query).scalars():
        if account.approved_at is None:
            text = _(
                "Approve or refuse the account of %(name)s (%(role)s)",
                name=account.name,
                role=ROLES.label(account.role),
            )
            since = account.updated_at or account.created_at
            key = f"account_approval:{account.id}"
        else:
            text = _("Approve or refuse the reset of %(name)s's second factor", name=account.name)
            since = account.mfa_reset_requested_at or account.updated_at
            key = f"mfa_reset_approval:{account.id}:{_day(since)}"
        tasks.append(
            Task(
                "account_approval",
                text,
                "",
                link_to("accounts.approvals"),
                _day(since),
                key,
                KIND_PRIORITY["account_approval"],
            )
        )
    return tasks


def plan_step_tasks(user: Any, today: date) -> list[Task]:
    """Steps of the plans the user may see that are theirs (named on the step, or their
    agency's with no one named) and still to do: overdue, or due within DUE_SOON_DAYS."""
    query = (
        visible_plan_steps(user)
        .where(
            PlanStep.status.in_(sorted(OPEN_PLAN_STEP_STATUSES)),
            PlanStep.due_on <= today + timedelta(days=DUE_SOON_DAYS),
            or_(
                PlanStep.owner_user_id == user.id,
                and_(PlanStep.owner_user_id.is_(None), PlanStep.owner_agency_id == user.agency_id),
            ),
        )
        .order_by(PlanStep.due_on)
        .limit(LIMIT)
    )
    tasks = []
    for step in db.session.execute(query).scalars():
        overdue = step.due_on < today
        kind = "plan_step_overdue" if overdue else "plan_step_due_soon"
        case = about(user, step.case)
        tasks.append(
            Task(
                kind,
                _("A step of the support plan is overdue")
                if overdue
                else _("A step of the support plan is due soon"),
                case.reference,
                link_to("cases.view_case", case_id=step.case_id, _anchor="section-support_plan"),
                step.due_on,
                f"{kind}:{step.id}:{step.due_on}",
                KIND_PRIORITY[kind],
                case,
            )
        )
    return tasks


def plan_approval_tasks(user: Any) -> list[Task]:
    """A supervisor's: support plans waiting for their approval (never their own request)."""
    query = approvals_awaiting(user).order_by(PlanApproval.requested_at).limit(LIMIT)
    return [
        Task(
            "plan_approval",
            _(
                "Approve or decline a support plan: %(what)s",
                what=PLAN_APPROVAL_KINDS.label(approval.kind),
            ),
            approval.case.reference,
            link_to(
                "services.decide_plan_approval", case_id=approval.case_id, approval_id=approval.id
            ),
            _day(approval.requested_at),
            f"plan_approval:{approval.id}",
            KIND_PRIORITY["plan_approval"],
            about(user, approval.case),
        )
        for approval in db.session.execute(query).scalars()
        if can(user, Action.DECIDE_PLAN_APPROVAL, approval)
    ]


def transfer_tasks(user: Any) -> list[Task]:
    """Transfers waiting for an answer: the receiving supervisors answer them; the sender's
    proposer (or its supervisors) waits. From the scoped query (transfers/scopes.py)."""
    query = (
        visible_transfers(user)
        .where(CaseTransfer.status == TransferStatus.PENDING)
        .order_by(CaseTransfer.created_at)
        .limit(LIMIT)
    )
    tasks = []
    for transfer in db.session.execute(query).scalars():
        link = link_to("transfers.view_transfer", transfer_id=transfer.id)
        case = about(user, transfer.case)
        since = _day(transfer.created_at)
        if transfer.receiving_agency_id == user.agency_id:
            kind = "transfer_answer"
            text = _("Answer this transfer from %(agency)s", agency=transfer.from_agency.name)
        else:
            kind = "transfer_waiting"
            text = _(
                "No answer yet to the transfer to %(agency)s",
                agency=transfer.receiving_agency.name,
            )
        key = f"{kind}:{transfer.id}"
        tasks.append(Task(kind, text, case.reference, link, since, key, KIND_PRIORITY[kind], case))
    return tasks


def all_tasks(user: Any, today: date) -> list[Task]:
    """Every task of the user, snoozed and done ones included, most urgent first."""
    tasks = [
        *referral_tasks(user),
        *transfer_tasks(user),
        *service_tasks(user, today),
        *follow_up_tasks(user, today),
        *possible_duplicate_tasks(user),
        *duplicate_check_tasks(user, today),
        *approval_tasks(user),
        *plan_step_tasks(user, today),
        *plan_approval_tasks(user),
    ]
    return sorted(tasks, key=lambda task: task.order)


def hidden_keys(user: Any, today: date) -> set[str]:
    """The keys of the user's tasks marked done, or snoozed until after today."""
    query = select(TaskMark.task_key).where(
        TaskMark.user_id == user.id,
        or_(TaskMark.done_at.is_not(None), TaskMark.snoozed_until > today),
    )
    return set(db.session.execute(query).scalars())


def dashboard_tasks(user: Any, today: date | None = None) -> list[Task]:
    """The user's tasks to do now: most urgent first, then the highest risk, then the oldest;
    without those they snoozed or marked done."""
    today = today or utcnow().date()
    hidden = hidden_keys(user, today)
    return [task for task in all_tasks(user, today) if task.key not in hidden]


def find_task(user: Any, key: str, today: date | None = None) -> Task | None:
    """The user's task called `key` (snoozed or not), or None: a key is only ever one of the
    user's own tasks, worked out from the scoped queries."""
    today = today or utcnow().date()
    return next((task for task in all_tasks(user, today) if task.key == key), None)


# ---- the other queues of the home page ----------------------------------------------------


@dataclass(frozen=True)
class Appointment:
    on: date
    service_type: str
    link: str  # the service record
    case: About


def upcoming_appointments(user: Any, today: date, days: int = 7) -> list[Appointment]:
    """Appointments booked from today to the end of the next `days` days, soonest first (the
    next appointment of each unfinished service's latest session the user may see)."""
    query = (
        _latest_sessions(user)
        .where(
            CounsellingSession.next_appointment_on >= today,
            CounsellingSession.next_appointment_on < today + timedelta(days=days),
        )
        .order_by(CounsellingSession.next_appointment_on, CounsellingSession.held_on)
        .limit(LIMIT)
    )
    found = [
        Appointment(
            session.next_appointment_on or today,
            session.service.service_type,
            link_to("services.view_service", service_id=session.service_id),
            about(user, session.case),
        )
        for session in db.session.execute(query).scalars()
    ]
    return sorted(found, key=lambda a: (a.on, RISK_RANK.get(a.case.risk or "", LAST)))
