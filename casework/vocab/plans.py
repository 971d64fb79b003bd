"""Support plan code lists: the plan types of HTCDS 2.0 (Support Plan, `spl_Type`), coded
exactly as the standard codes them, and the labels of the action plan's and the approvals'
life cycles (codes from casework.domain).

The plan types are from the Human Trafficking Case Data Standard (HTCDS) 2.0 by IOM, licensed
CC BY 4.0 ("Human Trafficking Case Data Standard (HTCDS) by IOM"); the labels are the
standard's own, translatable. Use implies no endorsement by IOM.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from casework.domain import PlanApprovalKind, PlanApprovalStatus, PlanStepEvent, PlanStepStatus
from casework.vocab.base import Vocabulary

# HTCDS 2.0 spl_Type: the standard's value names (codes) and value labels, in its order.
SUPPORT_PLAN_TYPES = Vocabulary(
    "support_plan_type",
    [
        ("Education", _l("Education")),
        ("Financial", _l("Financial")),
        ("Health", _l("Health")),
        ("LabourExploitationRehabilitation", _l("Labour Exploitation Rehabilitation")),
        ("Legal", _l("Legal")),
        ("Livelihood", _l("Livelihood")),
        ("RightsBasedTraining", _l("Rights-based Training")),
        ("SexualExploitationRehabilitation", _l("Sexual Exploitation Rehabilitation")),
        ("SocialCare", _l("Social Care")),
    ],
)

# What the data migration of existing plans read from their services needed (the services
# vocabulary's codes -> the HTCDS plan type that covers them). Services with no plan type of
# their own (shelter, interpretation, family tracing, return) map to none: a person adds the
# type the plan is about.
PLAN_TYPE_OF_SERVICE = {
    "education": "Education",
    "vocational_training": "Livelihood",
    "livelihood": "Livelihood",
    "financial_support": "Financial",
    "health_care": "Health",
    "psychosocial_counselling": "Health",
    "legal_aid": "Legal",
    "rights_based_training": "RightsBasedTraining",
    "social_care": "SocialCare",
    "reintegration": "SocialCare",
}

PLAN_STEP_STATUSES = Vocabulary.of(
    "plan_step_status",
    PlanStepStatus,
    {
        PlanStepStatus.PLANNED: _l("Planned"),
        PlanStepStatus.IN_PROGRESS: _l("In progress"),
        PlanStepStatus.DONE: _l("Done"),
        PlanStepStatus.CANCELLED: _l("Cancelled"),
    },
)

# The buttons that move a step.
PLAN_STEP_EVENTS = Vocabulary.of(
    "plan_step_event",
    PlanStepEvent,
    {
        PlanStepEvent.START: _l("Start"),
        PlanStepEvent.COMPLETE: _l("Mark as done"),
        PlanStepEvent.CANCEL: _l("Cancel the step"),
        PlanStepEvent.REOPEN: _l("Re-open"),
    },
)

PLAN_APPROVAL_KINDS = Vocabulary.of(
    "plan_approval_kind",
    PlanApprovalKind,
    {
        PlanApprovalKind.ASSESSMENT: _l("Assessment"),
        PlanApprovalKind.CASE_PLAN: _l("Case plan"),
    },
)

PLAN_APPROVAL_STATUSES = Vocabulary.of(
    "plan_approval_status",
    PlanApprovalStatus,
    {
        PlanApprovalStatus.PENDING: _l("Waiting for a supervisor's approval"),
        PlanApprovalStatus.APPROVED: _l("Approved"),
        PlanApprovalStatus.DECLINED: _l("Declined"),
        PlanApprovalStatus.SUPERSEDED: _l("Changed since: needs a new approval"),
    },
)
