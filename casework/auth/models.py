from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.agencies.models import Agency
from casework.core.db import Base, Timestamps, UTCDateTime, UUIDPrimaryKey
from casework.encryption.fields import EncryptedRecord, OwnsDataKey, encrypted


class User(EncryptedRecord, OwnsDataKey, UUIDPrimaryKey, Timestamps, Base):
    """A person who signs in. Never deleted: deactivated, so the audit trail stays whole."""

    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # policy.Role
    active: Mapped[bool] = mapped_column(default=True)

    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Second factor: the secret is encrypted under the user's own data key (so resetting the
    # factor can shred it); last_totp_step blocks replay of a code already used.
    totp_secret = encrypted()
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_totp_step: Mapped[int | None] = mapped_column()

    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped to end every live session of this user (deactivation, password change).
    session_epoch: Mapped[int] = mapped_column(default=0)

    agency: Mapped[Agency] = relationship(lazy="joined")

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.active and self.agency is not None and self.agency.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class RecoveryCode(UUIDPrimaryKey, Base):
    """A single-use second-factor fallback, stored hashed, shown once at enrolment."""

    __tablename__ = "recovery_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(128))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
