from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from casework.agencies.models import Agency
from casework.core.db import Base, Timestamps, UTCDateTime, UUIDPrimaryKey
from casework.encryption.fields import EncryptedRecord, OwnsDataKey, encrypted

# Roles whose accounts read or change cases (policy.Role values): approved by a supervisor.
CASE_HANDLING_ROLES = frozenset({"caseworker", "supervisor", "partner"})


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

    # Separation of duties (decision 0056): an account with a case-handling role is usable only
    # once approved by a supervisor of its agency (its first supervisor: another administrator);
    # `approval_requested_by_id` is the administrator whose change needs the approval. A reset
    # of the second factor waits for the same approval.
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    approval_requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    mfa_reset_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mfa_reset_requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    agency: Mapped[Agency] = relationship(lazy="joined")

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return (
            self.active
            and self.approved_at is not None
            and self.agency is not None
            and self.agency.active
        )

    @property
    def approver_role(self) -> str:
        """Who approves a change to this account: "supervisor" (a case-handling account in an
        agency with an approved, active supervisor other than this one) or "admin" (another
        administrator than the one who asked)."""
        if self.role not in CASE_HANDLING_ROLES:
            return "admin"
        session = object_session(self)
        if session is None:
            return "admin"
        other = session.scalar(
            select(User.id)
            .where(
                User.agency_id == self.agency_id,
                User.role == "supervisor",
                User.active.is_(True),
                User.approved_at.is_not(None),
                User.id != self.id,
            )
            .limit(1)
        )
        return "supervisor" if other is not None else "admin"

    @property
    def pending_request_by_id(self) -> uuid.UUID | None:
        """The administrator whose change to this account waits for approval."""
        if self.approved_at is None:
            return self.approval_requested_by_id
        if self.mfa_reset_requested_at is not None:
            return self.mfa_reset_requested_by_id
        return None

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


class CredentialLink(UUIDPrimaryKey, Base):
    """A single-use link that lets a person choose their own password: an invitation to a new
    account, or a reset. Only a hash of its token is stored; the token travels only in the
    e-mail to the person (decision 0056)."""

    __tablename__ = "credential_links"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # invitation, password_reset
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
