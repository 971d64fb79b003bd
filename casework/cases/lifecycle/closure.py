"""Closure of a case: the assignee (or a supervisor) asks with a reason, another supervisor
decides (four eyes). verb_noun operations: they change the ORM, write a timeline entry and an
audit event (codes only), flush, and never commit."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_

from casework import audit
from casework.auth.models import User
from casework.cases import signals
from casework.cases.errors import RecordError
from casework.cases.guard import Change, ensure_may_change, refusal, where_allowed
from casework.cases.models import Case
from casework.cases.scopes import visible_cases
from casework.cases.timeline import add_entry
from casework.core.conditional import update_if
from casework.core.db import utcnow
from casework.domain import (
    CASE_TRANSITIONS,
    CLOSURE_REQUEST_TRANSITIONS,
    OPEN_CASE_STATUSES,
    ClosureRequestEvent,
    ClosureRequestState,
)
from casework.vocab import CLOSURE_REASONS
from casework.vocab.records import CLOSURE_REJECTIONS


def closure_pending(case: Case) -> bool:
    return case.closure_request_state == ClosureRequestState.REQUESTED


def pending_closures(actor: User) -> Select[Any]:
    """Cases the actor may see with a closure request awaiting a decision, oldest first."""
    return (
        visible_cases(actor)
        .where(Case.closure_requested_at.is_not(None), Case.status.in_(sorted(OPEN_CASE_STATUSES)))
        .order_by(Case.closure_requested_at, Case.reference)
    )


ALREADY_REQUESTED = _l("Closure has already been requested and awaits a decision.")
NO_REQUEST = _l("There is no closure request to decide.")


def _still(case: Case, change: Change, event: ClosureRequestEvent) -> ColumnElement[bool]:
    """The row is still as the checks saw it: the case allows `change`, its closure request is
    in a state `event` starts from (CLOSURE_REQUEST_TRANSITIONS), and it is the same request."""
    seen = Case.closure_requested_at
    return and_(
        where_allowed(change),
        Case.closure_request_in(CLOSURE_REQUEST_TRANSITIONS.sources(event)),
        seen.is_(None) if case.closure_requested_at is None else seen == case.closure_requested_at,
    )


def request_closure(actor: User, case: Case, *, reason: str, status: str) -> None:
    """Ask for closure with a reason and the closed status wanted; a supervisor decides.
    Sent twice at once, it is recorded once: the second is told it awaits a decision."""
    ensure_may_change(case, Change.REQUEST_CLOSURE, RecordError)
    if not CLOSURE_REQUEST_TRANSITIONS.allows(
        case.closure_request_state, ClosureRequestEvent.REQUEST
    ):
        raise RecordError(str(ALREADY_REQUESTED))
    if reason not in CLOSURE_REASONS:
        raise RecordError(_("Choose the reason for closure."), "reason")
    if not CASE_TRANSITIONS.allowed(case.status, status):  # Closed or ClosedReferred
        raise RecordError(_("Choose how the case is closed."), "status")
    if not update_if(
        case,
        _still(case, Change.REQUEST_CLOSURE, ClosureRequestEvent.REQUEST),
        closure_reason=reason,
        closure_requested_status=status,
        closure_requested_at=utcnow(),
        closure_requested_by_id=actor.id,
    ):
        raise RecordError(_refusal(case, Change.REQUEST_CLOSURE, ALREADY_REQUESTED))
    detail = f"status={status} reason={reason}"
    add_entry(case, "case.closure_requested", actor=actor, detail=detail)
    audit.record("case.closure_requested", actor=actor, target=case, detail=detail)
    signals.closure_requested.send(case, actor=actor, requested_by_id=actor.id)


def approve_closure(actor: User, case: Case) -> None:
    """Close the case as requested. Four eyes: whoever asked cannot approve. Approved twice
    at once (or approved while rejected), one decision is recorded; the other is told."""
    ensure_may_change(case, Change.DECIDE_CLOSURE, RecordError)
    status = CASE_TRANSITIONS.known(case.closure_requested_status)
    if status is None or not (
        CLOSURE_REQUEST_TRANSITIONS.allows(case.closure_request_state, ClosureRequestEvent.APPROVE)
        and CASE_TRANSITIONS.allowed(case.status, status)
    ):
        raise RecordError(str(NO_REQUEST))
    if case.closure_requested_by_id == actor.id:
        raise RecordError(_("You asked for this closure: another supervisor must approve it."))
    if not update_if(
        case,
        _still(case, Change.DECIDE_CLOSURE, ClosureRequestEvent.APPROVE),
        status=status.value,
        closed_at=utcnow(),
        closed_by_id=actor.id,
        **CLEARED,
    ):
        raise RecordError(_refusal(case, Change.DECIDE_CLOSURE, NO_REQUEST))
    detail = f"status={status} reason={case.closure_reason}"
    add_entry(case, "case.closure_approved", actor=actor, detail=detail)
    audit.record("case.closure_approved", actor=actor, target=case, detail=detail)
    signals.case_closed.send(case, actor=actor, status=status)


def reject_closure(actor: User, case: Case, *, note: str) -> None:
    """Send a closure request back with a coded note; the case stays open."""
    ensure_may_change(case, Change.DECIDE_CLOSURE, RecordError)
    if not CLOSURE_REQUEST_TRANSITIONS.allows(
        case.closure_request_state, ClosureRequestEvent.REJECT
    ):
        raise RecordError(str(NO_REQUEST))
    if note not in CLOSURE_REJECTIONS:
        raise RecordError(_("Choose why the request is sent back."), "note")
    if not update_if(
        case,
        _still(case, Change.DECIDE_CLOSURE, ClosureRequestEvent.REJECT),
        closure_reason=None,
        **CLEARED,
    ):
        raise RecordError(_refusal(case, Change.DECIDE_CLOSURE, NO_REQUEST))
    add_entry(case, "case.closure_rejected", actor=actor, detail=f"note={note}")
    audit.record("case.closure_rejected", actor=actor, target=case, detail=f"note={note}")


# A decided (or re-opened) case has no closure request any more.
CLEARED: dict[str, None] = {
    "closure_requested_at": None,
    "closure_requested_by_id": None,
    "closure_requested_status": None,
}


def _refusal(case: Case, change: Change, otherwise: object) -> str:
    """Why a conditional update found the case changed meanwhile (it was reloaded): closed or
    erased by someone else, else `otherwise` (the request was decided or made meanwhile)."""
    return refusal(case, change) or str(otherwise)
