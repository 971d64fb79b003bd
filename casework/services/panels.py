"""The support and services panel of the case page (see casework/cases/panels.py)."""

from __future__ import annotations

from casework.cases.panels import Panel

# Everyone who sees the case sees this panel: what it lists is scoped by the policy.
PANELS = (Panel("services", "services/case_panel.html", 100),)
