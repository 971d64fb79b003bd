"""Referral, service and counselling code lists: HTCDS 2.0 support plan types plus the
services counter-trafficking agencies deliver, in one vocabulary."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from casework.domain import ReferralStatus, ServiceStatus, TransferStatus
from casework.vocab.base import Vocabulary

SERVICE_TYPES = Vocabulary(
    "service_type",
    [
        ("psychosocial_counselling", _l("Psychosocial counselling")),
        ("health_care", _l("Health care")),
        ("shelter", _l("Shelter")),
        ("legal_aid", _l("Legal aid")),
        ("interpretation", _l("Interpretation")),
        ("education", _l("Education")),
        ("vocational_training", _l("Vocational training")),
        ("livelihood", _l("Livelihood")),
        ("financial_support", _l("Financial support")),
        ("family_tracing", _l("Family tracing")),
        ("return_repatriation", _l("Return or repatriation")),
        ("reintegration", _l("Reintegration")),
        ("rights_based_training", _l("Rights-based training")),
        ("social_care", _l("Social care")),
    ],
)
COUNSELLING_SERVICE = "psychosocial_counselling"
RETURN_SERVICES = frozenset({"return_repatriation", "reintegration"})

ROUTINE_URGENCY = "routine"  # any other urgency is shown as urgent, and comes first
URGENCY_RANK = {"emergency": 0, "urgent": 1, ROUTINE_URGENCY: 2}  # the home queues' order
URGENCIES = Vocabulary(
    "urgency",
    [
        ("routine", _l("Routine")),
        ("urgent", _l("Urgent (within days)")),
        ("emergency", _l("Emergency (today)")),
    ],
)

# HTCDS 2.0 cas_ReasonForOutgoingReferral and cas_ReasonForIncomingReferral: one referral is
# the sender's outgoing and the receiver's incoming one, so one coded reason serves both.
REFERRAL_REASONS = Vocabulary(
    "referral_reason",
    [
        ("AdditionalServicesRequired", _l("Additional services required")),
        ("MigrationOrChangeOfLocation", _l("Migration or change of location")),
        ("Other", _l("Other")),
    ],
)

# What a referral may share with the receiving agency (data minimisation).
SHARED_GROUPS = Vocabulary(
    "shared_group",
    [
        ("identity_contact", _l("Identity and contact details")),
        ("trafficking_context", _l("Trafficking context")),
        ("health_notes", _l("Health and risk notes")),
        ("documents", _l("Documents and attachments")),
        ("support_plan", _l("Support plan and its action steps")),
    ],
)

REFERRAL_STATUSES = Vocabulary.of(
    "referral_status",
    ReferralStatus,
    {
        ReferralStatus.PENDING: _l("Pending"),
        ReferralStatus.ACCEPTED: _l("Accepted"),
        ReferralStatus.DECLINED: _l("Declined"),
        ReferralStatus.COMPLETED: _l("Completed"),
        ReferralStatus.REVOKED: _l("Revoked"),
        ReferralStatus.EXPIRED: _l("Expired"),
    },
)

TRANSFER_STATUSES = Vocabulary.of(
    "transfer_status",
    TransferStatus,
    {
        TransferStatus.PENDING: _l("Waiting for an answer"),
        TransferStatus.ACCEPTED: _l("Accepted"),
        TransferStatus.DECLINED: _l("Declined"),
        TransferStatus.WITHDRAWN: _l("Withdrawn"),
    },
)

SERVICE_STATUSES = Vocabulary.of(
    "service_status",
    ServiceStatus,
    {
        ServiceStatus.PLANNED: _l("Planned"),
        ServiceStatus.IN_PROGRESS: _l("In progress"),
        ServiceStatus.COMPLETED: _l("Completed"),
        ServiceStatus.DISCONTINUED: _l("Discontinued"),
    },
)

DISCONTINUATION_REASONS = Vocabulary(
    "discontinuation_reason",
    [
        ("person_declined", _l("The person declined")),
        ("person_moved", _l("The person moved away")),
        ("lost_contact", _l("Contact lost")),
        ("provider_unable", _l("The provider could not continue")),
        ("referred_on", _l("Referred to another provider")),
        ("other", _l("Other")),
    ],
)

SERVICE_OUTCOMES = Vocabulary(
    "service_outcome",
    [
        ("goals_met", _l("Goals met")),
        ("partly_met", _l("Goals partly met")),
        ("not_met", _l("Goals not met")),
        ("unknown", _l("Unknown")),
    ],
)

MODALITIES = Vocabulary(
    "modality",
    [
        ("in_person", _l("In person")),
        ("phone", _l("Phone")),
        ("video", _l("Video")),
        ("group", _l("Group")),
    ],
)

RISK_FLAGS = Vocabulary(
    "risk_flag",
    [
        ("self_harm", _l("Risk of self-harm")),
        ("suicidal_ideation", _l("Suicidal thoughts")),
        ("threat_from_traffickers", _l("Threats from traffickers")),
        ("re_trafficking", _l("Risk of re-trafficking")),
        ("domestic_violence", _l("Domestic violence")),
        ("substance_use", _l("Substance use")),
        ("urgent_medical", _l("Urgent medical need")),
    ],
)
