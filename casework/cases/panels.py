"""The case page is composed of declared panels: what each shows, to whom, in which order.

A panel names its template, its place (column and order) and who sees it (a rule over the
signed-in user, the case and the field groups the user may see; the permission itself is the
policy's). The cases feature declares its own panels here; referrals and services declare
theirs in their `panels.py`; the app factory hands them all to `declare()`. The page asks
`case_panels(case, groups)` (a template global) and includes each panel it gets.

The top of the page is derived from the same declarations (decision 0115): the overview is the
panels of the "overview" column (each feature adds its facts: the person, referrals,
services), the jump links are the titles of the panels shown, and the action bar is the
actions the panels shown declare (`CaseAction`), each offered only when the policy allows it
to this viewer on this case (`can`) and the case allows the change now (`guard.may_change`,
decisions 0010/0011): a closed or erased case offers none.

To add a section to the case page: write its template, declare a Panel in the feature it
belongs to, add that feature's panels to the app factory's list if they are not there yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from flask import Flask, current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from casework.cases.guard import Change, may_change, service_change
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
class CaseAction:
    """A button of the case page's action bar, declared by the panel it belongs to.

    Offered when the policy allows `action` to the viewer on the case and the case allows
    `change` now (for a service, the change as the viewer's agency makes it). The link is
    `endpoint` (with the case id), or `anchor` on the case page itself (a form of a panel)."""

    name: str
    label: Any  # a lazy string
    action: Action
    change: Change
    endpoint: str | None = None
    anchor: str | None = None
    primary: bool = False

    def allowed(self, user: Any, case: Any) -> bool:
        change = self.change
        if change in (Change.RECORD_SERVICE, Change.EDIT_SERVICE):
            change = service_change(user, case, change)
        return can(user, self.action, case) and may_change(case, change)

    def href(self, case: Any) -> str:
        if self.endpoint is None:
            return f"#{self.anchor}"
        return url_for(self.endpoint, case_id=case.id)


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    order: int
    shown: Shown = always
    column: Literal["main", "side", "overview"] = "main"
    title: Any = None  # the jump link's words (a lazy string); None: no jump link
    actions: tuple[CaseAction, ...] = ()

    @property
    def anchor(self) -> str:
        """The id of the panel's place on the page (the target of its jump link)."""
        return f"section-{self.name}"


EDIT = CaseAction("edit", _l("Edit case"), Action.EDIT_CASE, Change.EDIT_DETAILS, "cases.edit_case")
ADD_NOTE = CaseAction(
    "add_note", _l("Add a note"), Action.EDIT_CASE, Change.ADD_NOTE, anchor="note-form"
)
RECORD_CONSENT = CaseAction(
    "record_consent",
    _l("Record a consent"),
    Action.RECORD_CONSENT,
    Change.RECORD_CONSENT,
    "cases.new_consent",
)
ATTACH = CaseAction(
    "attach",
    _l("Attach a file"),
    Action.ADD_ATTACHMENT,
    Change.ADD_ATTACHMENT,
    "cases.new_attachment",
)
REQUEST_CLOSURE = CaseAction(
    "request_closure",
    _l("Request closure"),
    Action.REQUEST_CLOSURE,
    Change.REQUEST_CLOSURE,
    "cases.request_closure",
)

PANELS: tuple[Panel, ...] = (
    Panel("overview_person", "cases/overview/person.html", 10, column="overview"),
    Panel("summary", "cases/panels/summary.html", 10, title=_l("Summary"), actions=(EDIT,)),
    Panel(
        "assignment",
        "cases/panels/assignment.html",
        20,
        allowed(Action.ASSIGN_CASE),
        title=_l("Assignment"),
    ),
    Panel(
        "closure",
        "cases/panels/closure.html",
        30,
        allowed(Action.REQUEST_CLOSURE, Action.APPROVE_CLOSURE),
        title=_l("Closure"),
        actions=(REQUEST_CLOSURE,),
    ),
    Panel(
        "person",
        "cases/panels/person.html",
        40,
        group("identity_contact"),
        title=_l("The person"),
    ),
    Panel(
        "context",
        "cases/panels/context.html",
        50,
        group("trafficking_context"),
        title=_l("Trafficking context"),
    ),
    Panel(
        "notes", "cases/panels/notes.html", 60, notes_shared, title=_l("Notes"), actions=(ADD_NOTE,)
    ),
    Panel(
        "consents",
        "cases/panels/consents.html",
        70,
        allowed(Action.RECORD_CONSENT),
        title=_l("Consents"),
        actions=(RECORD_CONSENT,),
    ),
    Panel(
        "attachments",
        "cases/panels/attachments.html",
        80,
        allowed(Action.VIEW_ATTACHMENT, Action.ADD_ATTACHMENT),
        title=_l("Files"),
        actions=(ATTACH,),
    ),
    Panel("timeline", "cases/panels/timeline.html", 10, column="side", title=_l("Timeline")),
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


def jump_links(case: Any, groups: frozenset[str]) -> list[Panel]:
    """The panels the signed-in user sees that have a title: the page's jump links, main
    column first, then the side column (the order a phone shows them in)."""
    return [
        panel
        for column in ("main", "side")
        for panel in case_panels(case, groups, column)
        if panel.title is not None
    ]


def case_actions(case: Any, groups: frozenset[str]) -> list[CaseAction]:
    """The action bar: the actions of the panels shown that this viewer may take on this case
    now (the policy, then the guard); none on a closed or erased case."""
    return [
        action
        for panel in jump_links(case, groups)
        for action in panel.actions
        if action.allowed(current_user, case)
    ]


def case_action(case: Any, name: str) -> CaseAction | None:
    """The declared action `name` when this viewer may take it on this case now (a panel's
    own button asks this, so the bar and the panel answer alike)."""
    action = declared_action(name)
    return action if action.allowed(current_user, case) else None


def declared_action(name: str) -> CaseAction:
    for panel in declared():
        for action in panel.actions:
            if action.name == name:
                return action
    raise LookupError(f"no case action is declared as {name!r}")


@dataclass(frozen=True)
class NextStep:
    """What an empty panel offers next (issue 16): the action's link when this viewer may take
    it on this case now; otherwise whether the case itself refuses it (closed, erased), so the
    panel says so, or only this viewer may not, so the panel says who can."""

    url: str | None
    label: Any
    case_locked: bool


def next_step(case: Any, name: str, anchor: str | None = None) -> NextStep:
    """The next step of an empty panel: the declared action `name`, asked as the action bar
    asks it (the policy, then the guard). `anchor`: a place on the action's page."""
    action = declared_action(name)
    if action.allowed(current_user, case):
        url = action.href(case)
        if anchor and action.endpoint is not None:
            url = f"{url}#{anchor}"
        return NextStep(url, action.label, False)
    change = action.change
    if change in (Change.RECORD_SERVICE, Change.EDIT_SERVICE):
        change = service_change(current_user, case, change)
    return NextStep(None, action.label, not may_change(case, change))
