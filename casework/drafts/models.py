from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.db import Base, Timestamps, UTCDateTime, UUIDPrimaryKey, utcnow
from casework.encryption.fields import EncryptedRecord, OwnsDataKey, encrypted


class FormDraft(EncryptedRecord, OwnsDataKey, UUIDPrimaryKey, Timestamps, Base):
    """What one person typed into one form, not sent yet (decision 0110).

    `values` is the form's fields as JSON, encrypted under the draft's own data key (bound to
    this row, its table and its author's agency); discarding the draft destroys that key.
    `form_key` is the path the form is sent to, `page` the path of the page that shows it,
    `endpoint` the view it is for (one of `forms.DRAFT_FORMS`): codes and paths, never
    anything typed. One draft per person and form.
    """

    __tablename__ = "form_drafts"
    __table_args__ = (UniqueConstraint("author_id", "form_key", name="uq_form_drafts_author_form"),)

    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    endpoint: Mapped[str] = mapped_column(String(80))
    form_key: Mapped[str] = mapped_column(String(300))
    page: Mapped[str] = mapped_column(String(300))
    # The record the form is about (a case, a service record), when there is one: for the
    # label on the dashboard (shown only if the author may still open it).
    record_id: Mapped[uuid.UUID | None] = mapped_column()
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    values = encrypted()
