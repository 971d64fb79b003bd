"""Assignment and closure of a case: verb_noun operations (consents: consents.py).

Each changes the ORM, writes a timeline entry and an audit event (ids and codes only),
flushes, and never commits. A refusal raises `RecordError` naming the field it concerns.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select

from casework import audit
from casework.auth.models import User
from casework.case_records import signals
from casework.cases.models import Case
from casework.cases.timeline import add_entry
from casework.db import utcnow
from casework.domain import (
    CASE_TRANSITIONS,
    CLOSURE_REQUEST_TRANSITIONS,
    OPEN_CASE_STATUSES,
    CaseEvent,
    ClosureRequestEvent,
    ClosureRequestState,
)
from casework.extensions import db
from casework.policy import Role, visible_cases
from casework.vocab import CLOSURE_REASONS
from casework.vocab.records import CLOSURE_REJECTIONS

ASSIGNABLE_ROLES = (Role.CASEWORKER.value, Role.SUPERVISOR.value)


class RecordError(Exception):
    """An operation refused: the message is for the person, `field` says where to show it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def ensure_changeable(case: Case) -> None:
    if case.is_erased:
        raise RecordError(_("This case's identifying data was erased: it can no longer change."))


def ensure_open(case: Case) -> None:
    ensure_changeable(case)
    if case.is_closed:
        raise RecordError(_("This case is closed. A supervisor can re-open it first."))


def parse_uuid(value: Any) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def today() -> date:
    return utcnow().date()


# ---- assignment ------------------------------------------------------------------------


def assignable_users(case: Case) -> list[User]:
    """Active caseworkers and supervisors of the case's own agency."""
    users = db.session.execute(
        select(User)
        .where(
            User.agency_id == case.agency_id,
            User.active.is_(True),
            User.role.in_(ASSIGNABLE_ROLES),
        )
        .order_by(User.name, User.email)
    ).scalars()
    return [user for user in users if user.is_active]


def assign_case(actor: User, case: Case, assignee_id: Any) -> bool:
    """Assign the case to an active caseworker or supervisor of its own agency. False when
    it was already theirs. Anyone else (another agency's user, a partner, a deactivated
    account) is refused, whatever the form sent."""
    ensure_open(case)
    assignee_uuid = parse_uuid(assignee_id)
    assignee = db.session.get(User, assignee_uuid) if assignee_uuid else None
    if (
        assignee is None
        or assignee.agency_id != case.agency_id
        or assignee.role not in ASSIGNABLE_ROLES
        or not assignee.is_active
    ):
        raise RecordError(_("Choose a caseworker or supervisor of the agency."), "assignee")
    if case.assigned_to_id == assignee.id:
        return False
    previous_id = case.assigned_to_id
    case.assigned_to_id = assignee.id
    db.session.flush()
    add_entry(case, "case.assigned", actor=actor, target=assignee)
    audit.record("case.assigned", actor=actor, target=case, detail=f"to={assignee.id}")
    signals.case_assigned.send(case, actor=actor, assignee=assignee, previous_id=previous_id)
    return True


# ---- closure ---------------------------------------------------------------------------


def closure_pending(case: Case) -> bool:
    return case.closure_request_state == ClosureRequestState.REQUESTED


def pending_closures(actor: User) -> Select[Any]:
    """Cases the actor may see with a closure request awaiting a decision, oldest first."""
    return (
        visible_cases(actor)
        .where(Case.closure_requested_at.is_not(None), Case.status.in_(sorted(OPEN_CASE_STATUSES)))
        .order_by(Case.closure_requested_at, Case.reference)
    )


def request_closure(actor: User, case: Case, *, reason: str, status: str) -> None:
    """Ask for closure with a reason and the closed status wanted; a supervisor decides."""
    ensure_open(case)
    if not CLOSURE_REQUEST_TRANSITIONS.allows(
        case.closure_request_state, ClosureRequestEvent.REQUEST
    ):
        raise RecordError(_("Closure has already been requested and awaits a decision."))
    if reason not in CLOSURE_REASONS:
        raise RecordError(_("Choose the reason for closure."), "reason")
    if not CASE_TRANSITIONS.allowed(case.status, status):  # Closed or ClosedReferred
        raise RecordError(_("Choose how the case is closed."), "status")
    case.closure_reason = reason
    case.closure_requested_status = status
    case.closure_requested_at = utcnow()
    case.closure_requested_by_id = actor.id
    db.session.flush()
    detail = f"status={status} reason={reason}"
    add_entry(case, "case.closure_requested", actor=actor, detail=detail)
    audit.record("case.closure_requested", actor=actor, target=case, detail=detail)
    signals.closure_requested.send(case, actor=actor, requested_by_id=actor.id)


def approve_closure(actor: User, case: Case) -> None:
    """Close the case as requested. Four eyes: whoever asked cannot approve."""
    ensure_open(case)
    status = CASE_TRANSITIONS.known(case.closure_requested_status)
    if status is None or not (
        CLOSURE_REQUEST_TRANSITIONS.allows(case.closure_request_state, ClosureRequestEvent.APPROVE)
        and CASE_TRANSITIONS.allowed(case.status, status)
    ):
        raise RecordError(_("There is no closure request to decide."))
    if case.closure_requested_by_id == actor.id:
        raise RecordError(_("You asked for this closure: another supervisor must approve it."))
    case.status = status
    case.closed_at = utcnow()
    case.closed_by_id = actor.id
    _clear_request(case)
    db.session.flush()
    detail = f"status={status} reason={case.closure_reason}"
    add_entry(case, "case.closure_approved", actor=actor, detail=detail)
    audit.record("case.closure_approved", actor=actor, target=case, detail=detail)
    signals.case_closed.send(case, actor=actor, status=status)


def reject_closure(actor: User, case: Case, *, note: str) -> None:
    """Send a closure request back with a coded note; the case stays open."""
    ensure_open(case)
    if not CLOSURE_REQUEST_TRANSITIONS.allows(
        case.closure_request_state, ClosureRequestEvent.REJECT
    ):
        raise RecordError(_("There is no closure request to decide."))
    if note not in CLOSURE_REJECTIONS:
        raise RecordError(_("Choose why the request is sent back."), "note")
    _clear_request(case)
    case.closure_reason = None
    db.session.flush()
    add_entry(case, "case.closure_rejected", actor=actor, detail=f"note={note}")
    audit.record("case.closure_rejected", actor=actor, target=case, detail=f"note={note}")


def _clear_request(case: Case) -> None:
    case.closure_requested_at = None
    case.closure_requested_by_id = None
    case.closure_requested_status = None


def reopen_case(actor: User, case: Case) -> None:
    """Re-open a closed case (Active again); its reason for closure is cleared."""
    ensure_changeable(case)
    if not case.allows(CaseEvent.REOPEN):
        raise RecordError(_("This case is not closed."))
    previous = case.status
    case.status = CASE_TRANSITIONS.transition(previous, CaseEvent.REOPEN)
    case.closed_at = None
    case.closed_by_id = None
    case.closure_reason = None
    _clear_request(case)
    db.session.flush()
    add_entry(case, "case.reopened", actor=actor, detail=f"from={previous}")
    audit.record("case.reopened", actor=actor, target=case, detail=f"from={previous}")
