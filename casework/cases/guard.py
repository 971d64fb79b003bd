"""May this case change? One table for every change to a case and its children.

A case is open (Active, Follow-up), closed (Closed), closed as referred (Closed (referred):
closed for its owner, it continues with the agencies it was referred to) or erased. `ALLOWED`
says, for each kind of change, in which of those states it may happen; everything else is
refused. The same functions serve everyone:

- operations call `ensure_may_change(case, Change.X, TheirError)` before changing anything,
  which raises their feature's OperationError with the message for the person;
- views call `ensure_may_change(case, Change.X)` right after loading the case, so a form is
  never shown nor taken for a case that may not change: `CaseLocked` takes the person back to
  the case page with the message (casework.web.errors), nothing saved;
- templates ask `may_change(case, Change.X)` (a template global) to show a button or not.

The decisions behind the table are docs/decisions/0010-closed-cases-are-read-only.md and
0011-an-erased-case-never-changes.md. The policy (casework/policy/) still decides *who* may
act; this table decides *when* the case allows it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, false, not_, or_

from casework.core.errors import OperationError
from casework.domain import CASE_TRANSITIONS, CLOSED_CASE_STATUSES, CaseEvent, CaseStatus
from casework.policy import Action, can
from casework.web.dates import day


class CaseState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CLOSED_REFERRED = "closed_referred"  # closed for its owner; continues elsewhere
    ERASED = "erased"


class Change(StrEnum):
    """Every kind of change a case or one of its records can go through."""

    EDIT_DETAILS = "edit_details"  # the case form: the person, the trafficking context
    ADD_NOTE = "add_note"
    RECORD_CONSENT = "record_consent"
    WITHDRAW_CONSENT = "withdraw_consent"
    ADD_ATTACHMENT = "add_attachment"  # a file, or a consent's signed form
    DELETE_ATTACHMENT = "delete_attachment"
    ASSIGN = "assign"
    REQUEST_CLOSURE = "request_closure"
    DECIDE_CLOSURE = "decide_closure"
    REOPEN = "reopen"
    ERASE = "erase"
    REFER = "refer"  # a new referral
    ACCEPT_REFERRAL = "accept_referral"
    END_REFERRAL = "end_referral"  # decline, complete, revoke: fewer people see the case
    TRANSFER = "transfer"  # a proposal to transfer the case's lead (decision 0091)
    ACCEPT_TRANSFER = "accept_transfer"
    END_TRANSFER = "end_transfer"  # decline, withdraw: the case stays where it is
    RECORD_SERVICE = "record_service"  # a service record or a counselling session
    EDIT_SERVICE = "edit_service"
    # A service recorded or edited by an agency the case is referred to (not its owner): its
    # work goes on while the case continues elsewhere (`service_change()` picks it).
    PROVIDE_REFERRED_SERVICE = "provide_referred_service"
    EDIT_SUPPORT_PLAN = "edit_support_plan"  # the plan, its steps, its approvals: the owner
    # A step worked on by an agency the plan is shared with (not the case's owner): like its
    # services, its work goes on while the case continues elsewhere (`plan_step_change()`).
    WORK_ON_SHARED_STEP = "work_on_shared_step"
    LINK_CASES = "link_cases"  # add or remove a link between two cases (decision 0114)


OPEN, CLOSED, ERASED = CaseState.OPEN, CaseState.CLOSED, CaseState.ERASED
CLOSED_REFERRED = CaseState.CLOSED_REFERRED


def _state_of_status(status: str) -> CaseState:
    if status == CaseStatus.CLOSED_REFERRED:
        return CLOSED_REFERRED
    return CLOSED if status in CLOSED_CASE_STATUSES else OPEN


def _states_taking(event: CaseEvent) -> frozenset[CaseState]:
    """The states (open, closed) of the statuses from which the case life cycle takes `event`
    (the status moves themselves are the domain's; this table only asks where they start)."""
    statuses = {status for (status, taken) in CASE_TRANSITIONS.table if taken == event}
    return frozenset(_state_of_status(s) for s in statuses)


# The rule, in one place: which change is allowed in which state of the case.
ALLOWED: dict[Change, frozenset[CaseState]] = {
    # A closed case is read-only for its owners until a supervisor re-opens it (0010).
    Change.EDIT_DETAILS: frozenset({OPEN}),
    Change.ADD_NOTE: frozenset({OPEN}),
    Change.RECORD_CONSENT: frozenset({OPEN}),
    Change.ADD_ATTACHMENT: frozenset({OPEN}),
    Change.DELETE_ATTACHMENT: frozenset({OPEN}),
    Change.ASSIGN: frozenset({OPEN}),
    Change.REQUEST_CLOSURE: frozenset({OPEN}),
    Change.DECIDE_CLOSURE: frozenset({OPEN}),
    Change.REFER: frozenset({OPEN}),
    Change.TRANSFER: frozenset({OPEN}),
    Change.RECORD_SERVICE: frozenset({OPEN}),
    Change.EDIT_SERVICE: frozenset({OPEN}),
    Change.EDIT_SUPPORT_PLAN: frozenset({OPEN}),
    # Links are added and removed while both cases are open; a closed case shows its links,
    # read-only; links to an erased case are not shown at all (decision 0114).
    Change.LINK_CASES: frozenset({OPEN}),
    # What only reduces what may be done with the person's data stays possible when closed:
    # a person's withdrawal must always take effect.
    Change.WITHDRAW_CONSENT: frozenset({OPEN, CLOSED, CLOSED_REFERRED}),
    Change.END_REFERRAL: frozenset({OPEN, CLOSED, CLOSED_REFERRED}),
    Change.END_TRANSFER: frozenset({OPEN, CLOSED, CLOSED_REFERRED}),
    # A case closed as referred continues with the agencies it went to (0090): they answer its
    # referrals and record their services; its owner's record stays read-only.
    Change.ACCEPT_REFERRAL: frozenset({OPEN, CLOSED_REFERRED}),
    Change.ACCEPT_TRANSFER: frozenset({OPEN, CLOSED_REFERRED}),
    Change.PROVIDE_REFERRED_SERVICE: frozenset({OPEN, CLOSED_REFERRED}),
    Change.WORK_ON_SHARED_STEP: frozenset({OPEN, CLOSED_REFERRED}),
    # Re-opening and erasure act on closed cases: the states from which the case life cycle
    # (casework.domain.CASE_TRANSITIONS) takes these events. An erased case changes in no way.
    Change.REOPEN: _states_taking(CaseEvent.REOPEN),
    Change.ERASE: _states_taking(CaseEvent.ERASE),
}

# What a refusal says: the message for this change in this state, else the state's own.
STATE_REFUSALS: dict[CaseState, object] = {
    CLOSED: _l("This case is closed. A supervisor can re-open it first."),
    CLOSED_REFERRED: _l(
        "This case was closed as referred: it continues with the agencies it was referred to. "
        "A supervisor can re-open it first."
    ),
    ERASED: _l("This case's identifying data was erased: it can no longer change."),
    OPEN: _l("This case is open."),
}


def _erased_on(case: Any) -> str:
    return str(_("This case's identifying data was erased on %(day)s.", day=day(case.erased_at)))


# A message is a lazy string, or a function of the case for one that names a date.
REFUSALS: dict[tuple[Change, CaseState], object] = {
    (Change.ERASE, ERASED): _erased_on,
    (Change.REOPEN, OPEN): _l("This case is not closed."),
    (Change.REOPEN, ERASED): _l("This case's identifying data was erased: it cannot be re-opened."),
    (Change.ERASE, OPEN): _l("Only a closed case can be erased."),
    (Change.REFER, CLOSED): _l("A closed case cannot be referred."),
    (Change.REFER, ERASED): _l("A closed case cannot be referred."),
    (Change.REFER, CLOSED_REFERRED): _l("A closed case cannot be referred."),
    (Change.TRANSFER, CLOSED): _l("A closed case cannot be transferred."),
    (Change.TRANSFER, ERASED): _l("A closed case cannot be transferred."),
    (Change.TRANSFER, CLOSED_REFERRED): _l("A closed case cannot be transferred."),
    (Change.ACCEPT_TRANSFER, CLOSED): _l(
        "The case has been closed: this transfer can only be declined."
    ),
    (Change.ACCEPT_REFERRAL, CLOSED): _l(
        "The case has been closed: this referral can only be declined."
    ),
}


def case_state(case: Any) -> CaseState:
    if case.is_erased:
        return ERASED
    return _state_of_status(case.status)


def service_change(actor: Any, case: Any, change: Change | str) -> Change:
    """The change a service record or session makes, as the acting agency makes it: its
    owner's (RECORD_SERVICE, EDIT_SERVICE), or an agency's it is referred to
    (PROVIDE_REFERRED_SERVICE), which goes on while the case continues elsewhere."""
    change = Change(change)
    if change not in (Change.RECORD_SERVICE, Change.EDIT_SERVICE):
        raise ValueError(f"not a service change: {change}")
    if getattr(actor, "agency_id", None) != case.agency_id:
        return Change.PROVIDE_REFERRED_SERVICE
    return change


def plan_step_change(actor: Any, case: Any) -> Change:
    """The change working on a plan step makes, as the acting agency makes it: the owner's
    (EDIT_SUPPORT_PLAN), or a sharing agency's (WORK_ON_SHARED_STEP)."""
    if getattr(actor, "agency_id", None) != case.agency_id:
        return Change.WORK_ON_SHARED_STEP
    return Change.EDIT_SUPPORT_PLAN


def may_change(case: Any, change: Change | str) -> bool:
    """Whether `case` (a Case) allows `change` now."""
    return case_state(case) in ALLOWED[Change(change)]


def refusal(case: Any, change: Change | str) -> str | None:
    """What to tell the person when `case` does not allow `change`; None when it does."""
    change = Change(change)
    state = case_state(case)
    if state in ALLOWED[change]:
        return None
    message = REFUSALS.get((change, state), STATE_REFUSALS[state])
    return str(message(case)) if callable(message) else str(message)


def where_allowed(change: Change | str) -> ColumnElement[bool]:
    """SQL twin of `may_change` (same states as `case_state`): the WHERE of a conditional
    update, so a change that raced a closure or an erasure changes nothing."""
    from casework.cases.models import Case

    closed = Case.status.in_(sorted(CLOSED_CASE_STATUSES))
    referred = Case.status == CaseStatus.CLOSED_REFERRED.value
    alive = Case.erased_at.is_(None)
    states = ALLOWED[Change(change)]
    clauses = [
        clause
        for state, clause in (
            (OPEN, and_(alive, not_(closed))),
            (CLOSED, and_(alive, closed, not_(referred))),
            (CLOSED_REFERRED, and_(alive, referred)),
            (ERASED, not_(alive)),
        )
        if state in states
    ]
    return or_(false(), *clauses)


class CaseLocked(OperationError):
    """The case does not allow this change in its state (closed, erased, still open)."""

    def __init__(self, message: str, case: Any, change: Change) -> None:
        super().__init__(message)
        self.case = case
        self.change = change

    def back_to(self) -> str | None:
        """The case page, where the message is shown, when the person may see it."""
        if can(current_user, Action.VIEW_CASE, self.case):
            return url_for("cases.view_case", case_id=self.case.id)
        return None


def ensure_may_change(
    case: Any, change: Change | str, refuse_with: type[OperationError] | None = None
) -> None:
    """Refuse, with the message for the person, unless `case` allows `change` now.

    Views leave `refuse_with` out: CaseLocked takes the person back to the case page with the
    message. Operations pass their feature's error (RecordError, ReferralError...), which their
    views already show on the form or the page they come from."""
    message = refusal(case, change)
    if message is None:
        return
    if refuse_with is None:
        raise CaseLocked(message, case, Change(change))
    raise refuse_with(message)
