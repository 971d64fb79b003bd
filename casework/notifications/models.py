from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.db import Base, UTCDateTime, UUIDPrimaryKey, utcnow
from casework.jobs.models import WorkItem


class Notification(UUIDPrimaryKey, Base):
    """Something a user should look at: a kind code, a case reference and a link. No
    personal data, so it can also go out by e-mail."""

    __tablename__ = "notifications"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
    case_reference: Mapped[str | None] = mapped_column(String(32))
    link: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboundEmail(WorkItem, UUIDPrimaryKey, Base):
    """An e-mail to send: written in the transaction of the action that notifies, delivered
    by the job queue (`notifications/delivery.py`), tried again with backoff until sent.

    A kind, a case reference and a link only (the subject and body say nothing about the
    person); the address is read from the user at sending time, so a changed address or a
    deactivated account is respected."""

    __tablename__ = "outbound_emails"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
