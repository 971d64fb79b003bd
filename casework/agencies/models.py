from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.db import Base, Timestamps, UUIDPrimaryKey
from casework.core.time_zones import default_time_zone


def _country_time_zone(context: Any) -> str:
    return default_time_zone(context.get_current_parameters().get("country"))


class Agency(UUIDPrimaryKey, Timestamps, Base):
    """An organisation using Casework. Never deleted: deactivated, so history stays."""

    __tablename__ = "agencies"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    org_type: Mapped[str] = mapped_column(String(64))  # vocab.ORGANISATION_TYPES
    country: Mapped[str] = mapped_column(String(2), index=True)  # ISO 3166-1 alpha-2
    active: Mapped[bool] = mapped_column(default=True)
    # IANA name (Asia/Bangkok): every date and time is shown to its staff in it; by default
    # the country's main zone.
    time_zone: Mapped[str] = mapped_column(String(64), default=_country_time_zone)
    # The services it provides (vocab.SERVICE_TYPES codes): referrals are offered to
    # agencies that provide what the person needs.
    services_offered: Mapped[list[str]] = mapped_column(JSON, default=list)

    @property
    def zone(self) -> str:
        """The agency's time zone (its country's before the row is saved)."""
        return self.time_zone or default_time_zone(self.country)

    def __repr__(self) -> str:
        return f"<Agency {self.id}>"
