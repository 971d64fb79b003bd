"""A case's life cycle, and the life cycle of a request to close it.

A case is open (Active, FollowUp) or closed (Closed, ClosedReferred): HTCDS 2.0 status codes.
"Closed (referred)" closes the case for its owner but the case continues elsewhere: its
accepted referrals go on (CONTINUING_CASE_STATUSES); only "Closed" ends them.
Closing takes two people: a caseworker or supervisor requests it with the closed status wanted,
another supervisor approves (the case moves) or rejects (it stays open). A supervisor may
re-open a closed case. Erasure destroys a closed case's identifying data; its status stays,
and an erased case takes no event at all (`casework.cases.models.Case.allows`).

FollowUp is an HTCDS status the product keeps and shows (imported and demo cases hold it);
no screen moves a case into it yet, so the table has no event that leads there.
"""

from __future__ import annotations

from enum import StrEnum

from casework.domain.lifecycle import Transitions


class CaseStatus(StrEnum):
    ACTIVE = "Active"
    FOLLOW_UP = "FollowUp"
    CLOSED = "Closed"
    CLOSED_REFERRED = "ClosedReferred"


class CaseEvent(StrEnum):
    CLOSE = "close"  # a closure approved as Closed
    CLOSE_REFERRED = "close_referred"  # a closure approved as ClosedReferred
    REOPEN = "reopen"
    ERASE = "erase"  # identifying data destroyed; the status stays


OPEN_CASE_STATUSES = frozenset({CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP})
CLOSED_CASE_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED})


class CaseStatusGroup(StrEnum):
    """Several statuses at once, as the case lists filter by them (labels: casework.vocab)."""

    OPEN = "open"
    CLOSED = "closed"


CASE_STATUS_GROUPS = {
    CaseStatusGroup.OPEN: OPEN_CASE_STATUSES,
    CaseStatusGroup.CLOSED: CLOSED_CASE_STATUSES,
}
# The statuses in which a case's accepted referrals (and pending transfers) go on: an open
# case, and a case closed as referred, which continues with the agencies it went to. Only
# "Closed" ends them (docs/decisions/0090-closed-referred-continues-elsewhere.md).
CONTINUING_CASE_STATUSES = OPEN_CASE_STATUSES | {CaseStatus.CLOSED_REFERRED}

CASE_TRANSITIONS = Transitions(
    "case",
    CaseStatus,
    CaseEvent,
    {
        **{(s, CaseEvent.CLOSE): CaseStatus.CLOSED for s in OPEN_CASE_STATUSES},
        **{(s, CaseEvent.CLOSE_REFERRED): CaseStatus.CLOSED_REFERRED for s in OPEN_CASE_STATUSES},
        **{(s, CaseEvent.REOPEN): CaseStatus.ACTIVE for s in CLOSED_CASE_STATUSES},
        **{(s, CaseEvent.ERASE): s for s in CLOSED_CASE_STATUSES},
    },
    initial=[CaseStatus.ACTIVE],
)


class ClosureRequestState(StrEnum):
    """Derived from the case's `closure_requested_*` columns (nothing stores these codes): a
    decided request is cleared, its outcome is in the timeline and the audit trail."""

    NONE = "none"
    REQUESTED = "requested"


class ClosureRequestEvent(StrEnum):
    REQUEST = "request"
    APPROVE = "approve"  # the case closes (CASE_TRANSITIONS) and the request is cleared
    REJECT = "reject"  # the case stays open and the request is cleared


CLOSURE_REQUEST_TRANSITIONS = Transitions(
    "closure request",
    ClosureRequestState,
    ClosureRequestEvent,
    {
        (ClosureRequestState.NONE, ClosureRequestEvent.REQUEST): ClosureRequestState.REQUESTED,
        (ClosureRequestState.REQUESTED, ClosureRequestEvent.APPROVE): ClosureRequestState.NONE,
        (ClosureRequestState.REQUESTED, ClosureRequestEvent.REJECT): ClosureRequestState.NONE,
    },
    initial=[ClosureRequestState.NONE],
)
