"""The linked-cases panel of the case page and its action (see casework/cases/panels.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from casework.cases.guard import Change
from casework.cases.panels import CaseAction, Panel, allowed
from casework.policy import Action

LINK = CaseAction("link", _l("Link a case"), Action.LINK_CASES, Change.LINK_CASES, "links.new_link")

PANELS = (
    Panel(
        "links",
        "links/case_panel.html",
        110,
        allowed(Action.VIEW_CASE_LINK),
        title=_l("Linked cases"),
        actions=(LINK,),
    ),
)
