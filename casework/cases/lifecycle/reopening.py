"""Re-opening a closed case: a supervisor makes it active again."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_

from casework import audit
from casework.auth.models import User
from casework.cases.errors import RecordError
from casework.cases.guard import Change, ensure_may_change, refusal, where_allowed
from casework.cases.lifecycle.closure import CLEARED
from casework.cases.models import Case
from casework.cases.timeline import add_entry
from casework.core.conditional import update_if
from casework.domain import CASE_TRANSITIONS, CaseEvent


def reopen_case(actor: User, case: Case) -> None:
    """Re-open a closed case (Active again); its reason for closure is cleared. Re-opened
    twice at once (or while being erased), one change is recorded; the other is told."""
    ensure_may_change(case, Change.REOPEN, RecordError)
    previous = case.status
    still_closed = and_(
        where_allowed(Change.REOPEN),
        Case.status == previous,
        Case.status.in_(sorted(CASE_TRANSITIONS.sources(CaseEvent.REOPEN))),
    )
    if not update_if(
        case,
        still_closed,
        status=CASE_TRANSITIONS.transition(previous, CaseEvent.REOPEN).value,
        closed_at=None,
        closed_by_id=None,
        closure_reason=None,
        **CLEARED,
    ):
        raise RecordError(refusal(case, Change.REOPEN) or _("This case is not closed."))
    add_entry(case, "case.reopened", actor=actor, detail=f"from={previous}")
    audit.record("case.reopened", actor=actor, target=case, detail=f"from={previous}")
