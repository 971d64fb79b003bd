"""The dashboard's "Your drafts": what form, about which case (only when the author may still
open it), when saved, and where to resume."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_login import current_user

from casework.cases.models import Case
from casework.core.extensions import db
from casework.drafts.forms import DRAFT_FORMS
from casework.drafts.models import FormDraft
from casework.drafts.scopes import own_drafts
from casework.policy import Action, can
from casework.services.models import ServiceRecord

SHOWN = 20
# Where on its page a form is, when it is not the page's main form (resumed in view).
ANCHORS = {"cases.add_note": "#notes"}


@dataclass(frozen=True)
class DraftItem:
    id: str
    label: Any
    reference: str | None
    saved_at: datetime
    page: str


def _reference(draft: FormDraft) -> str | None:
    if draft.record_id is None:
        return None
    record: Any = db.session.get(Case, draft.record_id)
    if record is None:
        service = db.session.get(ServiceRecord, draft.record_id)
        record = service.case if service is not None else None
    if record is None or not can(current_user, Action.VIEW_CASE, record):
        return None
    return str(record.reference)


def your_drafts() -> list[DraftItem]:
    if not current_user.is_authenticated or not can(current_user, Action.KEEP_FORM_DRAFT):
        return []
    drafts = db.session.execute(own_drafts(current_user).limit(SHOWN)).scalars()
    return [
        DraftItem(
            str(d.id),
            DRAFT_FORMS.get(d.endpoint, d.endpoint),
            _reference(d),
            d.saved_at,
            d.page + ANCHORS.get(d.endpoint, ""),
        )
        for d in drafts
    ]


TEMPLATE_GLOBALS: dict[str, Any] = {"your_drafts": your_drafts}
