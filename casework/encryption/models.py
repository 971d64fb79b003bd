from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.db import Base, UTCDateTime, UUIDPrimaryKey, utcnow


class DataKey(UUIDPrimaryKey, Base):
    """A record's own data key, wrapped by a key-encryption key of the keyring.

    Destroying it (wrapped = NULL) crypto-shreds every field and file of the record.
    """

    __tablename__ = "data_keys"

    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)
    kek_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def destroyed(self) -> bool:
        return self.wrapped is None

    def context(self) -> bytes:
        """What the wrapping binds the key to: this row, so a wrapped key cannot move."""
        return b"casework data key|" + self.id.bytes
