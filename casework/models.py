"""Every model, imported in one place so metadata (migrations, tests) sees them all."""

from casework.agencies.models import Agency
from casework.audit.models import AuditEvent, AuditHead
from casework.auth.models import RecoveryCode, User
from casework.encryption.models import DataKey
from casework.reports.models import PrivacyBudget, ReportRelease

__all__ = [
    "Agency",
    "AuditEvent",
    "AuditHead",
    "DataKey",
    "PrivacyBudget",
    "RecoveryCode",
    "ReportRelease",
    "User",
]
