"""Closure of a case: the assignee (or a supervisor) asks with a reason, another supervisor
decides (four eyes). verb_noun operations: they change the ORM, write a timeline entry and an
audit event (codes only), flush, and never commit."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select

from casework import audit
from casework.auth.models import User
from casework.cases import signals
from casework.cases.errors import RecordError
from casework.cases.guard import Change, ensure_may_change
from casework.cases.models import Case
from casework.cases.scopes import visible_cases
from casework.cases.timeline import add_entry
from casework.core.db import utcnow
from casework.core.extensions import db
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


def request_closure(actor: User, case: Case, *, reason: str, status: str) -> None:
    """Ask for closure with a reason and the closed status wanted; a supervisor decides."""
    ensure_may_change(case, Change.REQUEST_CLOSURE, RecordError)
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
    ensure_may_change(case, Change.DECIDE_CLOSURE, RecordError)
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
    clear_request(case)
    db.session.flush()
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
        raise RecordError(_("There is no closure request to decide."))
    if note not in CLOSURE_REJECTIONS:
        raise RecordError(_("Choose why the request is sent back."), "note")
    clear_request(case)
    case.closure_reason = None
    db.session.flush()
    add_entry(case, "case.closure_rejected", actor=actor, detail=f"note={note}")
    audit.record("case.closure_rejected", actor=actor, target=case, detail=f"note={note}")


def clear_request(case: Case) -> None:
    case.closure_requested_at = None
    case.closure_requested_by_id = None
    case.closure_requested_status = None
