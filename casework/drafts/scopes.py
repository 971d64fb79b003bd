"""The drafts a person may see: their own, typed in their current agency, not past the
retention time (the SQL twin of `Action.KEEP_FORM_DRAFT`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, false, select

from casework.core.db import utcnow
from casework.drafts.models import FormDraft
from casework.policy import Action, can


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Drafts saved before this are past `DRAFT_RETENTION_HOURS`."""
    hours = int(current_app.config["DRAFT_RETENTION_HOURS"])
    return (now or utcnow()) - timedelta(hours=hours)


def own_drafts(actor: Any) -> Select[FormDraft]:
    query = select(FormDraft)
    if not can(actor, Action.KEEP_FORM_DRAFT):
        return query.where(false())
    return query.where(
        FormDraft.author_id == actor.id,
        FormDraft.agency_id == actor.agency_id,
        FormDraft.saved_at >= retention_cutoff(),
    ).order_by(FormDraft.saved_at.desc())
