"""The case page is composed of declared panels: what each shows, to whom, in which order.

A panel names its template, its place (column and order) and who sees it (a rule over the
signed-in user, the case and the field groups the user may see; the permission itself is the
policy's). The cases feature declares its own panels here; referrals and services declare
theirs in their `panels.py`; the app factory hands them all to `declare()`. The page asks
`case_panels(case, groups)` (a template global) and includes each panel it gets.

To add a section to the case page: write its template, declare a Panel in the feature it
belongs to, add that feature's panels to the app factory's list if they are not there yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from flask import Flask, current_app
from flask_login import current_user

from casework.policy import Action, can, visible_note_categories

Shown = Callable[[Any, Any, frozenset[str]], bool]  # (user, case, visible field groups)
EXTENSION = "casework.case_panels"


def always(user: Any, case: Any, groups: frozenset[str]) -> bool:
    return True


def allowed(*actions: Action) -> Shown:
    """Shown to whom the policy allows any of `actions` on the case."""

    def shown(user: Any, case: Any, groups: frozenset[str]) -> bool:
        return any(can(user, action, case) for action in actions)

    return shown


def group(name: str) -> Shown:
    """Shown to whom may see field group `name` of the case (policy.visible_field_groups)."""

    def shown(user: Any, case: Any, groups: frozenset[str]) -> bool:
        return name in groups

    return shown


def notes_shared(user: Any, case: Any, groups: frozenset[str]) -> bool:
    """Shown to the owning agency, and to a partner when a note of a category its referral
    shares (health and risk, the trafficking context) exists."""
    categories = visible_note_categories(user, case)
    if not categories:
        return False
    if case.agency_id == getattr(user, "agency_id", None):
        return True
    return any(note.category in categories for note in case.notes)


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    order: int
    shown: Shown = always
    column: Literal["main", "side"] = "main"


PANELS: tuple[Panel, ...] = (
    Panel("summary", "cases/panels/summary.html", 10),
    Panel("assignment", "cases/panels/assignment.html", 20, allowed(Action.ASSIGN_CASE)),
    Panel(
        "closure",
        "cases/panels/closure.html",
        30,
        allowed(Action.REQUEST_CLOSURE, Action.APPROVE_CLOSURE),
    ),
    Panel("person", "cases/panels/person.html", 40, group("identity_contact")),
    Panel("context", "cases/panels/context.html", 50, group("trafficking_context")),
    Panel("notes", "cases/panels/notes.html", 60, notes_shared),
    Panel("consents", "cases/panels/consents.html", 70, allowed(Action.RECORD_CONSENT)),
    Panel(
        "attachments",
        "cases/panels/attachments.html",
        80,
        allowed(Action.VIEW_ATTACHMENT, Action.ADD_ATTACHMENT),
    ),
    Panel("timeline", "cases/panels/timeline.html", 10, column="side"),
)


def declare(app: Flask, panels: Iterable[Panel]) -> None:
    """Set the case page's panels (the app factory calls this once, with every feature's)."""
    ordered = sorted(panels, key=lambda panel: (panel.column, panel.order))
    names = [panel.name for panel in ordered]
    places = [(panel.column, panel.order) for panel in ordered]
    if len(set(names)) != len(names) or len(set(places)) != len(places):
        raise RuntimeError(f"two case page panels share a name or a place: {names}")
    app.extensions[EXTENSION] = tuple(ordered)


def declared() -> tuple[Panel, ...]:
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


def case_panel(name: str) -> Panel:
    """The declared panel called `name`."""
    return next(panel for panel in declared() if panel.name == name)


def case_panels(case: Any, groups: frozenset[str], column: str = "main") -> list[Panel]:
    """The panels of `column` the signed-in user sees on this case, in order."""
    return [
        panel
        for panel in declared()
        if panel.column == column and panel.shown(current_user, case, groups)
    ]
