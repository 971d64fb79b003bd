"""Why a form draft ended (decision 0110): the detail of its `form_draft.discarded` audit event.
Drafts have no life cycle beyond kept-then-discarded, so there is no transitions table."""

from __future__ import annotations

from enum import StrEnum


class DraftEnd(StrEnum):
    BY_AUTHOR = "by_author"  # the author discarded it
    SAVED = "saved"  # the form it was for was saved
    MOVED = "moved"  # typed in another agency: never carried over
    EXPIRED = "expired"  # past DRAFT_RETENTION_HOURS (the daily job)
