"""What service templates need: labels, and the case's services and support plan as the
signed-in user may see them (for the case page panel). Registered by the app factory."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from casework.cases.guard import may_change, plan_step_change
from casework.domain import OPEN_PLAN_STEP_STATUSES
from casework.services import queries
from casework.services.plans import queries as plan_queries
from casework.vocab import (
    DISCONTINUATION_REASONS,
    MODALITIES,
    PLAN_APPROVAL_KINDS,
    PLAN_APPROVAL_STATUSES,
    PLAN_STEP_EVENTS,
    PLAN_STEP_STATUSES,
    RISK_FLAGS,
    SERVICE_OUTCOMES,
    SERVICE_STATUSES,
    SERVICE_TYPES,
    SUPPORT_PLAN_TYPES,
)
from casework.web.dates import local_today


def case_services(case: Any) -> list[Any]:
    return queries.case_services(current_user, case)


def case_plan(case: Any) -> plan_queries.PlanView | None:
    """The case's support plan, steps and approvals as the signed-in user may see them."""
    return plan_queries.plan_view(current_user, case)


def plan_step_may_change(case: Any) -> bool:
    """Whether the case lets the signed-in user work on its plan's steps now (the owner's
    change, or a sharing agency's: guard.plan_step_change)."""
    return may_change(case, plan_step_change(current_user, case))


def case_service_facts(case: Any) -> queries.ServiceFacts:
    """The case overview's facts from the services the signed-in user may see."""
    return queries.case_service_facts(current_user, case, local_today())


def referral_services(referral: Any) -> list[Any]:
    """The services recorded under a referral that the signed-in user may see."""
    return queries.referral_services(current_user, referral)


TEMPLATE_GLOBALS: dict[str, Any] = {
    "case_services": case_services,
    "case_plan": case_plan,
    "plan_type_label": SUPPORT_PLAN_TYPES.label,
    "plan_step_status_label": PLAN_STEP_STATUSES.label,
    "plan_step_event_label": PLAN_STEP_EVENTS.label,
    "plan_step_may_change": plan_step_may_change,
    "OPEN_PLAN_STEP_STATUSES": OPEN_PLAN_STEP_STATUSES,
    "plan_approval_kind_label": PLAN_APPROVAL_KINDS.label,
    "plan_approval_status_label": PLAN_APPROVAL_STATUSES.label,
    "case_service_facts": case_service_facts,
    "referral_services": referral_services,
    "service_type_label": SERVICE_TYPES.label,
    "service_status_label": SERVICE_STATUSES.label,
    "modality_label": MODALITIES.label,
    "risk_flag_label": RISK_FLAGS.label,
    "outcome_label": SERVICE_OUTCOMES.label,
    "discontinuation_label": DISCONTINUATION_REASONS.label,
}
