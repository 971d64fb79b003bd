"""Domain codes as types: status enums and one transitions table per life cycle.

Importable without Flask (pure Python): the policy, operations, queries and templates all read
the same codes and the same tables. Enum values are the codes stored in the database. Labels
are not here: they are translatable and live in `casework.vocab`, keyed by these values.
"""

from typing import Any

from casework.domain.cases import (
    CASE_STATUS_GROUPS,
    CASE_TRANSITIONS,
    CLOSED_CASE_STATUSES,
    CLOSURE_REQUEST_TRANSITIONS,
    CONTINUING_CASE_STATUSES,
    OPEN_CASE_STATUSES,
    CaseEvent,
    CaseStatus,
    CaseStatusGroup,
    ClosureRequestEvent,
    ClosureRequestState,
)
from casework.domain.consents import (
    AGENCY_CONSENT_PURPOSES,
    PROCESSING_CONSENT_PURPOSE,
    ConsentPurpose,
)
from casework.domain.federation import (
    PEER_TRANSITIONS,
    MessageType,
    PeerCapability,
    PeerEvent,
    PeerStatus,
)
from casework.domain.jobs import (
    UNFINISHED_WORK_STATUSES,
    WORK_TRANSITIONS,
    WorkEvent,
    WorkStatus,
)
from casework.domain.lifecycle import DomainError, IllegalTransition, Transitions
from casework.domain.notes import NOTE_CATEGORY_GROUPS, UNCATEGORISED_NOTES, NoteCategory
from casework.domain.plans import (
    OPEN_PLAN_STEP_STATUSES,
    PLAN_APPROVAL_TRANSITIONS,
    PLAN_STEP_TRANSITIONS,
    PlanApprovalEvent,
    PlanApprovalKind,
    PlanApprovalStatus,
    PlanStepEvent,
    PlanStepStatus,
)
from casework.domain.referrals import (
    OPEN_REFERRAL_STATUSES,
    REFERRAL_TRANSITIONS,
    ReferralEvent,
    ReferralStatus,
)
from casework.domain.services import (
    SERVICE_TRANSITIONS,
    UNFINISHED_SERVICE_STATUSES,
    ServiceEvent,
    ServiceStatus,
)
from casework.domain.transfers import TRANSFER_TRANSITIONS, TransferEvent, TransferStatus

# Every life cycle, by name (tests walk them all; templates get the enums from here).
TRANSITIONS: dict[str, Transitions[Any, Any]] = {
    "case": CASE_TRANSITIONS,
    "closure_request": CLOSURE_REQUEST_TRANSITIONS,
    "referral": REFERRAL_TRANSITIONS,
    "service": SERVICE_TRANSITIONS,
    "work": WORK_TRANSITIONS,
    "peer": PEER_TRANSITIONS,
    "plan_step": PLAN_STEP_TRANSITIONS,
    "plan_approval": PLAN_APPROVAL_TRANSITIONS,
    "transfer": TRANSFER_TRANSITIONS,
}

# The enums templates compare with (`referral.status == ReferralStatus.PENDING`).
ENUMS = {
    cls.__name__: cls
    for cls in (
        CaseStatus,
        CaseEvent,
        ClosureRequestState,
        ClosureRequestEvent,
        ReferralStatus,
        ReferralEvent,
        ServiceStatus,
        ServiceEvent,
        TransferStatus,
        TransferEvent,
        ConsentPurpose,
        NoteCategory,
        WorkStatus,
        WorkEvent,
        PeerStatus,
        PeerEvent,
        PeerCapability,
        MessageType,
        PlanStepStatus,
        PlanStepEvent,
        PlanApprovalKind,
        PlanApprovalStatus,
        PlanApprovalEvent,
    )
}

__all__ = [
    "AGENCY_CONSENT_PURPOSES",
    "CASE_STATUS_GROUPS",
    "CASE_TRANSITIONS",
    "CLOSED_CASE_STATUSES",
    "CLOSURE_REQUEST_TRANSITIONS",
    "CONTINUING_CASE_STATUSES",
    "ENUMS",
    "NOTE_CATEGORY_GROUPS",
    "OPEN_CASE_STATUSES",
    "OPEN_PLAN_STEP_STATUSES",
    "OPEN_REFERRAL_STATUSES",
    "PEER_TRANSITIONS",
    "PLAN_APPROVAL_TRANSITIONS",
    "PLAN_STEP_TRANSITIONS",
    "PROCESSING_CONSENT_PURPOSE",
    "REFERRAL_TRANSITIONS",
    "SERVICE_TRANSITIONS",
    "TRANSFER_TRANSITIONS",
    "TRANSITIONS",
    "UNCATEGORISED_NOTES",
    "UNFINISHED_SERVICE_STATUSES",
    "UNFINISHED_WORK_STATUSES",
    "WORK_TRANSITIONS",
    "CaseEvent",
    "CaseStatus",
    "CaseStatusGroup",
    "ClosureRequestEvent",
    "ClosureRequestState",
    "ConsentPurpose",
    "DomainError",
    "IllegalTransition",
    "MessageType",
    "NoteCategory",
    "PeerCapability",
    "PeerEvent",
    "PeerStatus",
    "PlanApprovalEvent",
    "PlanApprovalKind",
    "PlanApprovalStatus",
    "PlanStepEvent",
    "PlanStepStatus",
    "ReferralEvent",
    "ReferralStatus",
    "ServiceEvent",
    "ServiceStatus",
    "TransferEvent",
    "TransferStatus",
    "Transitions",
    "WorkEvent",
    "WorkStatus",
]
