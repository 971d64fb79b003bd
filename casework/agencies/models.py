from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, Timestamps, UUIDPrimaryKey


class Agency(UUIDPrimaryKey, Timestamps, Base):
    """An organisation using Casework. Never deleted: deactivated, so history stays."""

    __tablename__ = "agencies"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    org_type: Mapped[str] = mapped_column(String(64))  # vocab.ORGANISATION_TYPES
    country: Mapped[str] = mapped_column(String(2), index=True)  # ISO 3166-1 alpha-2
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Agency {self.id}>"
