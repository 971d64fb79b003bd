"""What case templates need: code labels, the case-record vocabularies, the guard, the case
page's panels, file sizes. Declared here, registered by the app factory
(casework.web.templating)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_login import current_user

from casework.cases.attachments.operations import human_size, signs_consent
from casework.cases.guard import Change, may_change, refusal, service_change
from casework.cases.lifecycle.closure import closure_pending
from casework.cases.overview import person_facts
from casework.cases.panels import (
    case_action,
    case_actions,
    case_panel,
    case_panels,
    jump_links,
    next_step,
)
from casework.cases.presenting import changed_fields, code_label, codes_label, timeline_label
from casework.vocab import (
    ATTACHMENT_KINDS,
    CASE_STATUSES,
    CLOSURE_REASONS,
    CONSENT_METHODS,
    CONSENT_PURPOSES,
    NOTE_CATEGORIES,
)


def _service_change(case: Any, change: str) -> Change:
    """`service_change()` for the signed-in user: which change a service button makes."""
    return service_change(current_user, case, change)


def file_size(size: int | None) -> str:
    return "" if size is None else human_size(size)


TEMPLATE_GLOBALS: dict[str, Any] = {
    "code_label": code_label,
    "codes_label": codes_label,
    "timeline_label": timeline_label,
    "changed_fields": changed_fields,
    "consent_purposes": CONSENT_PURPOSES,
    "consent_methods": CONSENT_METHODS,
    "note_categories_label": NOTE_CATEGORIES.label,
    "attachment_kinds": ATTACHMENT_KINDS,
    "case_statuses": CASE_STATUSES,
    "closure_reasons": CLOSURE_REASONS,
    "closure_pending": closure_pending,
    "signs_consent": signs_consent,
    "may_change": may_change,
    "service_change": _service_change,
    "change_refusal": refusal,
    "Change": Change,
    "case_panels": case_panels,
    "case_panel": case_panel,
    "case_actions": case_actions,
    "case_action": case_action,
    "next_step": next_step,
    "case_jump_links": jump_links,
    "case_person_facts": person_facts,
}
TEMPLATE_FILTERS: dict[str, Callable[..., Any]] = {"file_size": file_size}
