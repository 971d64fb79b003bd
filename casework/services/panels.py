"""The support and services panel of the case page, its facts in the overview and its action
(see casework/cases/panels.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from casework.cases.guard import Change
from casework.cases.panels import CaseAction, Panel, allowed
from casework.policy import Action

# The change is the owner's (RECORD_SERVICE) or, for an agency the case is referred to,
# PROVIDE_REFERRED_SERVICE: CaseAction.allowed asks guard.service_change.
RECORD_SERVICE = CaseAction(
    "record_service",
    _l("Record a service"),
    Action.RECORD_SERVICE,
    Change.RECORD_SERVICE,
    "services.new_service",
    primary=True,
)

# Everyone who sees the case sees these panels: what they list is scoped by the policy.
PANELS = (
    Panel("overview_services", "services/overview.html", 30, column="overview"),
    Panel(
        "services",
        "services/case_panel.html",
        100,
        title=_l("Support and services"),
        actions=(RECORD_SERVICE,),
    ),
    # The plan, its approvals and its action plan: the owning agency, and agencies whose
    # referral shares the "support_plan" field group (policy: VIEW_SUPPORT_PLAN).
    Panel(
        "support_plan",
        "services/plan_panel.html",
        105,
        allowed(Action.VIEW_SUPPORT_PLAN),
        title=_l("Support plan"),
    ),
)
