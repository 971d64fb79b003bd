"""Keeping and discarding drafts (decision 0110). Each operation checks the policy, writes its
audit event (ids and codes only: never a field name or a value), flushes, never commits."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from casework import audit
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.domain.drafts import DraftEnd
from casework.drafts.forms import DraftTarget
from casework.drafts.models import FormDraft
from casework.drafts.scopes import retention_cutoff
from casework.policy import Action, require


def _find(actor: Any, form_key: str) -> FormDraft | None:
    return db.session.execute(
        select(FormDraft).where(FormDraft.author_id == actor.id, FormDraft.form_key == form_key)
    ).scalar_one_or_none()


def save_form_draft(actor: Any, target: DraftTarget, values: dict[str, list[str]]) -> FormDraft:
    """Keep what `actor` typed into the form `target` (one draft per person and form: a later
    save replaces the values). The first save of a draft is audited, later ones are not."""
    draft = _find(actor, target.form_key)
    if draft is not None and draft.agency_id != actor.agency_id:
        _discard(actor, draft, DraftEnd.MOVED)
        draft = None
    if draft is None:
        draft = FormDraft(
            author_id=actor.id,
            agency_id=actor.agency_id,
            endpoint=target.endpoint,
            form_key=target.form_key,
            page=target.page,
            record_id=target.record_id,
        )
        require(actor, Action.KEEP_FORM_DRAFT, draft)
        draft.values = json.dumps(values, ensure_ascii=False)
        draft.saved_at = utcnow()
        try:
            with db.session.begin_nested():
                db.session.add(draft)
                db.session.flush()
        except IntegrityError:  # the same form saved twice at once: update the other one
            existing = _find(actor, target.form_key)
            if existing is None:
                raise
            draft = existing
        else:
            audit.record("form_draft.created", actor=actor, target=draft, detail=target.endpoint)
            return draft
    require(actor, Action.KEEP_FORM_DRAFT, draft)
    draft.values = json.dumps(values, ensure_ascii=False)
    draft.page = target.page
    draft.saved_at = utcnow()
    db.session.flush()
    return draft


def draft_values(actor: Any, draft: FormDraft) -> dict[str, list[str]]:
    """The fields of a draft, for its author only."""
    require(actor, Action.KEEP_FORM_DRAFT, draft)
    loaded = json.loads(draft.values or "{}")
    return loaded if isinstance(loaded, dict) else {}


def discard_form_draft(actor: Any, draft: FormDraft, reason: DraftEnd = DraftEnd.BY_AUTHOR) -> None:
    """The author discards their draft (or saved the form it was for)."""
    require(actor, Action.KEEP_FORM_DRAFT, draft)
    _discard(actor, draft, reason)


def discard_drafts_of_form(actor: Any, form_key: str) -> int:
    """The form at `form_key` was saved: its author's draft of it is no longer needed."""
    draft = _find(actor, form_key)
    if draft is None or draft.agency_id != actor.agency_id:
        return 0
    discard_form_draft(actor, draft, DraftEnd.SAVED)
    return 1


def discard_expired_drafts(now: datetime | None = None, progress: Any = None) -> int:
    """Every draft past `DRAFT_RETENTION_HOURS` (the daily job): deleted with its data key."""
    expired = db.session.execute(
        select(FormDraft).where(FormDraft.saved_at < retention_cutoff(now))
    ).scalars()
    count = 0
    for draft in list(expired):
        _discard(None, draft, DraftEnd.EXPIRED)
        count += 1
        if progress is not None:
            progress()
    return count


def _discard(actor: Any, draft: FormDraft, reason: DraftEnd) -> None:
    """Delete the draft and destroy its data key (what was typed is unreadable for good)."""
    data_key = draft.data_key
    audit.record("form_draft.discarded", actor=actor, target=draft, detail=reason.value)
    db.session.delete(draft)
    db.session.flush()
    if data_key is not None:
        db.session.delete(data_key)
        db.session.flush()
