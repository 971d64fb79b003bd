"""What service templates need: labels, and the case's services and support plan as the
signed-in user may see them (for the case page panel). Registered by the app factory."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from casework.services import queries
from casework.vocab import (
    DISCONTINUATION_REASONS,
    MODALITIES,
    RISK_FLAGS,
    SERVICE_OUTCOMES,
    SERVICE_STATUSES,
    SERVICE_TYPES,
)
from casework.web.dates import local_today


def case_services(case: Any) -> list[Any]:
    return queries.case_services(current_user, case)


def case_support_plan(case: Any) -> Any:
    return queries.support_plan(current_user, case)


def case_service_facts(case: Any) -> queries.ServiceFacts:
    """The case overview's facts from the services the signed-in user may see."""
    return queries.case_service_facts(current_user, case, local_today())


def referral_services(referral: Any) -> list[Any]:
    """The services recorded under a referral that the signed-in user may see."""
    return queries.referral_services(current_user, referral)


TEMPLATE_GLOBALS: dict[str, Any] = {
    "case_services": case_services,
    "case_support_plan": case_support_plan,
    "case_service_facts": case_service_facts,
    "referral_services": referral_services,
    "service_type_label": SERVICE_TYPES.label,
    "service_status_label": SERVICE_STATUSES.label,
    "modality_label": MODALITIES.label,
    "risk_flag_label": RISK_FLAGS.label,
    "outcome_label": SERVICE_OUTCOMES.label,
    "discontinuation_label": DISCONTINUATION_REASONS.label,
}
