from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.db import Base, UTCDateTime, UUIDPrimaryKey, utcnow


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
