"""A support plan's life cycles: the steps of its action plan, and the approvals of its
assessment and of the case plan.

A step is planned, then in progress, and ends done or cancelled; a done step can be taken up
again (in progress), a cancelled one cannot (a new step is added instead). An approval is
requested (pending), then approved or declined by a supervisor who did not request it (the
policy decides who: decision 0094). A change to what was approved, or to what waits for
approval, supersedes it: the plan needs a new approval (decision 0096).
"""

from __future__ import annotations

from enum import StrEnum

from casework.domain.lifecycle import Transitions


class PlanStepStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class PlanStepEvent(StrEnum):
    START = "start"
    COMPLETE = "complete"
    CANCEL = "cancel"
    REOPEN = "reopen"  # a done step taken up again


# Still something to do: reminders and the home queue.
OPEN_PLAN_STEP_STATUSES = frozenset({PlanStepStatus.PLANNED, PlanStepStatus.IN_PROGRESS})

PLAN_STEP_TRANSITIONS = Transitions(
    "plan step",
    PlanStepStatus,
    PlanStepEvent,
    {
        (PlanStepStatus.PLANNED, PlanStepEvent.START): PlanStepStatus.IN_PROGRESS,
        **{(s, PlanStepEvent.COMPLETE): PlanStepStatus.DONE for s in OPEN_PLAN_STEP_STATUSES},
        **{(s, PlanStepEvent.CANCEL): PlanStepStatus.CANCELLED for s in OPEN_PLAN_STEP_STATUSES},
        (PlanStepStatus.DONE, PlanStepEvent.REOPEN): PlanStepStatus.IN_PROGRESS,
    },
    initial=[PlanStepStatus.PLANNED],
)


class PlanApprovalKind(StrEnum):
    ASSESSMENT = "assessment"
    CASE_PLAN = "case_plan"


class PlanApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    SUPERSEDED = "superseded"  # what it was about changed after the request


class PlanApprovalEvent(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    SUPERSEDE = "supersede"


PLAN_APPROVAL_TRANSITIONS = Transitions(
    "plan approval",
    PlanApprovalStatus,
    PlanApprovalEvent,
    {
        (PlanApprovalStatus.PENDING, PlanApprovalEvent.APPROVE): PlanApprovalStatus.APPROVED,
        (PlanApprovalStatus.PENDING, PlanApprovalEvent.DECLINE): PlanApprovalStatus.DECLINED,
        (PlanApprovalStatus.PENDING, PlanApprovalEvent.SUPERSEDE): PlanApprovalStatus.SUPERSEDED,
        (PlanApprovalStatus.APPROVED, PlanApprovalEvent.SUPERSEDE): PlanApprovalStatus.SUPERSEDED,
    },
    initial=[PlanApprovalStatus.PENDING],
)
