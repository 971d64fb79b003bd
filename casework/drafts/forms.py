"""Which forms keep drafts, what each is called on the dashboard, and what a draft may hold.

A draft names its form by the path the form is sent to; the path must reach one of the views
below (by POST), so nothing else can be stored under the name of a draft.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from casework.web.access import safe_next

# endpoint -> what the dashboard calls a draft of it
DRAFT_FORMS: dict[str, Any] = {
    "cases.new_case": _l("Registration of a case"),
    "cases.edit_case": _l("Changes to a case"),
    "cases.add_note": _l("Note on a case"),
    "services.new_session": _l("Counselling session"),
}
# Fields never kept: the form's one-time tokens (a restored form gets fresh ones).
NOT_KEPT = frozenset({"csrf_token", "submission"})
MAX_FIELDS = 300
MAX_VALUE = 20_000
MAX_TOTAL = 200_000


class DraftRefused(ValueError):
    """A draft the server does not keep (unknown form, unsafe path, too large)."""


@dataclass(frozen=True)
class DraftTarget:
    endpoint: str
    form_key: str
    page: str
    record_id: uuid.UUID | None


def target_of(form_key: str, page: str) -> DraftTarget:
    """The draftable view `form_key` is sent to, checked; DraftRefused otherwise."""
    form_key, page = safe_next(form_key) or "", safe_next(page) or ""
    if not form_key or not page or len(form_key) > 300 or len(page) > 300:
        raise DraftRefused("path")
    if "?" in form_key or "#" in form_key or "?" in page or "#" in page:
        raise DraftRefused("path")
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, arguments = adapter.match(form_key, method="POST")
        adapter.match(page, method="GET")
    except HTTPException as error:
        raise DraftRefused("path") from error
    if endpoint not in DRAFT_FORMS:
        raise DraftRefused("form")
    record_id = next((v for v in arguments.values() if isinstance(v, uuid.UUID)), None)
    return DraftTarget(str(endpoint), form_key, page, record_id)


def clean_values(values: Any) -> dict[str, list[str]]:
    """The fields as {name: [value, ...]}, without the one-time tokens; DraftRefused when
    it is not that shape or too large."""
    if not isinstance(values, dict) or len(values) > MAX_FIELDS:
        raise DraftRefused("shape")
    kept: dict[str, list[str]] = {}
    total = 0
    for name, raw in values.items():
        if not isinstance(name, str) or not name or len(name) > 200:
            raise DraftRefused("shape")
        items = raw if isinstance(raw, list) else [raw]
        if not all(isinstance(item, str) and len(item) <= MAX_VALUE for item in items):
            raise DraftRefused("shape")
        total += sum(len(item) for item in items) + len(name)
        if name not in NOT_KEPT:
            kept[name] = list(items)
    if total > MAX_TOTAL:
        raise DraftRefused("size")
    return kept
