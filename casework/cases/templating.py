"""Template helpers the case-record partials use on the case page (any blueprint's page)."""

from __future__ import annotations

import uuid

from casework.auth.models import User
from casework.cases import bp
from casework.cases.attachments.operations import human_size, signs_consent
from casework.cases.guard import Change, may_change, refusal
from casework.cases.lifecycle.closure import closure_pending
from casework.core.extensions import db
from casework.vocab import (
    ATTACHMENT_KINDS,
    CASE_STATUSES,
    CLOSURE_REASONS,
    CONSENT_METHODS,
    CONSENT_PURPOSES,
)


@bp.app_template_global()
def staff_name(user_id: uuid.UUID | None) -> str:
    """The name of a staff account (who recorded, requested, approved), or "" if none."""
    if user_id is None:
        return ""
    user = db.session.get(User, user_id)
    return user.name if user is not None else ""


@bp.app_template_filter()
def file_size(size: int | None) -> str:
    return "" if size is None else human_size(size)


@bp.app_context_processor
def record_vocabularies() -> dict[str, object]:
    return {
        "consent_purposes": CONSENT_PURPOSES,
        "consent_methods": CONSENT_METHODS,
        "attachment_kinds": ATTACHMENT_KINDS,
        "case_statuses": CASE_STATUSES,
        "closure_reasons": CLOSURE_REASONS,
        "closure_pending": closure_pending,
        "may_change": may_change,
        "change_refusal": refusal,
        "Change": Change,
        "signs_consent": signs_consent,
    }
