"""Every model, imported in one place so metadata (migrations, tests) sees them all."""

from casework.agencies.models import Agency
from casework.audit.models import AuditEvent, AuditHead
from casework.auth.models import CredentialLink, RecoveryCode, User
from casework.cases.models import (
    Attachment,
    AttachmentChunk,
    Case,
    CaseCode,
    CaseNote,
    Consent,
    IdentityDocument,
    Person,
    PossibleDuplicate,
    ReferenceCounter,
    TimelineEntry,
    TraffickingEvent,
)
from casework.core.session_store import EndedSession, SessionCopy
from casework.drafts.models import FormDraft
from casework.encryption.custody import KeyOperation
from casework.encryption.models import DataKey
from casework.federation.models import InboundReceipt, OutboundMessage, Peer
from casework.jobs.models import Job
from casework.links.models import CaseLink
from casework.main.models import TaskMark
from casework.notifications.models import Notification, OutboundEmail
from casework.referrals.models import Referral, ReferralService
from casework.reports.models import (
    CoordinatorScope,
    PrivacyBudget,
    ReportPublication,
    ReportRelease,
)
from casework.services.models import CounsellingSession, ServiceRecord, SupportPlan
from casework.services.plans.models import PlanApproval, PlanStep, PlanStepReminder
from casework.transfers.models import CaseTransfer
from casework.web.once import FormSubmission

__all__ = [
    "Agency",
    "Attachment",
    "AttachmentChunk",
    "AuditEvent",
    "AuditHead",
    "Case",
    "CaseCode",
    "CaseLink",
    "CaseNote",
    "CaseTransfer",
    "Consent",
    "CoordinatorScope",
    "CounsellingSession",
    "CredentialLink",
    "DataKey",
    "EndedSession",
    "FormDraft",
    "FormSubmission",
    "IdentityDocument",
    "InboundReceipt",
    "Job",
    "KeyOperation",
    "Notification",
    "OutboundEmail",
    "OutboundMessage",
    "Peer",
    "Person",
    "PlanApproval",
    "PlanStep",
    "PlanStepReminder",
    "PossibleDuplicate",
    "PrivacyBudget",
    "RecoveryCode",
    "ReferenceCounter",
    "Referral",
    "ReferralService",
    "ReportPublication",
    "ReportRelease",
    "ServiceRecord",
    "SessionCopy",
    "SupportPlan",
    "TaskMark",
    "TimelineEntry",
    "TraffickingEvent",
    "User",
]
