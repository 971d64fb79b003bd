"""The transfers panel of the case page and its action (see casework/cases/panels.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from casework.cases.guard import Change
from casework.cases.panels import CaseAction, Panel, allowed
from casework.policy import Action

TRANSFER = CaseAction(
    "transfer",
    _l("Transfer the lead to another agency"),
    Action.PROPOSE_TRANSFER,
    Change.TRANSFER,
    "transfers.new_transfer",
)

# The owners' panel: the transfers of the case they may open (the scoped query).
PANELS = (
    Panel(
        "transfers",
        "transfers/case_panel.html",
        95,
        shown=allowed(Action.PROPOSE_TRANSFER),
        title=_l("Transfers"),
        actions=(TRANSFER,),
    ),
)
