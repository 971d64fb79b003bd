"""The release ledger: every table shown or exported, and the privacy budget spent."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.db import Base, UTCDateTime, UUIDPrimaryKey, utcnow


class ReportRelease(UUIDPrimaryKey, Base):
    """One released table: the request that defined its population and the published
    figures exactly as shown (true counts are never stored). Append-only."""

    __tablename__ = "report_releases"
    __table_args__ = (Index("ix_report_releases_unit_audience", "unit", "audience"),)

    request_key: Mapped[str] = mapped_column(String(64), unique=True)
    template: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(32))
    audience: Mapped[str] = mapped_column(String(80))
    scope_kind: Mapped[str] = mapped_column(String(16))
    scope_value: Mapped[str | None] = mapped_column(String(64))
    period_key: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    filters: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    mode: Mapped[str] = mapped_column(String(16))
    epsilon: Mapped[float | None] = mapped_column(Float)
    # What the release counted, without naming anyone: how many units, and a keyed hash of
    # their sorted ids (the rounding coin is keyed by it, so a change of one person re-draws
    # every figure of a population, not only that person's cells).
    population_size: Mapped[int | None] = mapped_column(Integer)
    population_digest: Mapped[str | None] = mapped_column(String(64))
    published: Mapped[dict[str, Any]] = mapped_column(JSON)
    software_version: Mapped[str] = mapped_column(String(32))
    released_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<ReportRelease {self.id}>"


class PrivacyBudget(Base):
    """Epsilon spent on differentially private releases about one scope's (a country's or
    the region's) data of one calendar year."""

    __tablename__ = "privacy_budgets"

    scope: Mapped[str] = mapped_column(String(80), primary_key=True)  # "country:TH", "region"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    spent: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CoordinatorScope(Base):
    """Which figures a coordinator reports on: one country, or the region (country NULL).
    A coordinator without a row reports on their own agency's country."""

    __tablename__ = "coordinator_scopes"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    country: Mapped[str | None] = mapped_column(String(2))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReportPublication(UUIDPrimaryKey, Base):
    """One published package: the signed zip a coordinator built (a report's tables, or a
    synthetic data set), stored once with the name its content gives it, so every download
    of it is the same file. Append-only."""

    __tablename__ = "report_publications"

    request_key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "report" or "synthetic"
    scope_kind: Mapped[str] = mapped_column(String(16))
    scope_value: Mapped[str | None] = mapped_column(String(64))
    period_key: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(160))
    sha256: Mapped[str] = mapped_column(String(64))
    package: Mapped[bytes] = mapped_column(LargeBinary)
    epsilon: Mapped[float | None] = mapped_column(Float)
    released_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
