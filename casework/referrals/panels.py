"""The referrals panel of the case page, its facts in the overview and its action (see
casework/cases/panels.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from casework.cases.guard import Change
from casework.cases.panels import CaseAction, Panel
from casework.policy import Action

REFER = CaseAction(
    "refer",
    _l("Refer to another agency"),
    Action.CREATE_REFERRAL,
    Change.REFER,
    "referrals.new_referral",
    primary=True,
)

# Everyone who sees the case sees these panels: what they list is scoped by the policy.
PANELS = (
    Panel("overview_referrals", "referrals/overview.html", 20, column="overview"),
    Panel("referrals", "referrals/case_panel.html", 90, title=_l("Referrals"), actions=(REFER,)),
)
