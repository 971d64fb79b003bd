"""Organisations and roles."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from casework.policy import Role
from casework.vocab.base import Vocabulary

# HTCDS 2.0 org_Type
ORGANISATION_TYPES = Vocabulary(
    "organisation_type",
    [
        ("NGO", _l("NGO")),
        ("LawEnforcement", _l("Law enforcement")),
        ("HealthServiceOrganisation", _l("Health service organisation")),
        ("CentralGovernmentOrganisation", _l("Central government organisation")),
        ("LocalGovernmentOrganisation", _l("Local government organisation")),
        ("ImmigrationService", _l("Immigration service")),
        ("LegalService", _l("Legal service")),
        ("CorporateBusiness", _l("Corporate business")),
        ("SchoolOrCollege", _l("School or college")),
        ("InternationalOrganisation", _l("International organisation")),
    ],
)

ROLES = Vocabulary(
    "role",
    [
        (Role.CASEWORKER.value, _l("Caseworker")),
        (Role.SUPERVISOR.value, _l("Supervisor")),
        (Role.PARTNER.value, _l("Partner (service provider)")),
        (Role.COORDINATOR.value, _l("Coordinator")),
        (Role.ADMIN.value, _l("Administrator")),
    ],
)
