from __future__ import annotations

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.db import Base, Timestamps, UUIDPrimaryKey


class Agency(UUIDPrimaryKey, Timestamps, Base):
    """An organisation using Casework. Never deleted: deactivated, so history stays."""

    __tablename__ = "agencies"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    org_type: Mapped[str] = mapped_column(String(64))  # vocab.ORGANISATION_TYPES
    country: Mapped[str] = mapped_column(String(2), index=True)  # ISO 3166-1 alpha-2
    active: Mapped[bool] = mapped_column(default=True)
    # The services it provides (vocab.SERVICE_TYPES codes): referrals are offered to
    # agencies that provide what the person needs.
    services_offered: Mapped[list[str]] = mapped_column(JSON, default=list)

    def __repr__(self) -> str:
        return f"<Agency {self.id}>"
