"""Re-opening a closed case: a supervisor makes it active again."""

from __future__ import annotations

from casework import audit
from casework.auth.models import User
from casework.cases.errors import RecordError
from casework.cases.guard import Change, ensure_may_change
from casework.cases.lifecycle.closure import clear_request
from casework.cases.models import Case
from casework.cases.timeline import add_entry
from casework.core.extensions import db
from casework.domain import CASE_TRANSITIONS, CaseEvent


def reopen_case(actor: User, case: Case) -> None:
    """Re-open a closed case (Active again); its reason for closure is cleared."""
    ensure_may_change(case, Change.REOPEN, RecordError)
    previous = case.status
    case.status = CASE_TRANSITIONS.transition(previous, CaseEvent.REOPEN)
    case.closed_at = None
    case.closed_by_id = None
    case.closure_reason = None
    clear_request(case)
    db.session.flush()
    add_entry(case, "case.reopened", actor=actor, detail=f"from={previous}")
    audit.record("case.reopened", actor=actor, target=case, detail=f"from={previous}")
