"""Support plans, service records and counselling sessions.

A service record is owned by the agency that provides it: a partner keeps seeing its own
records after its access to the case ends. Notes are encrypted under the case's data key, so
erasing a person erases them too.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.cases.models import CaseChild
from casework.core.db import Base, Timestamps, UUIDPrimaryKey
from casework.domain import SERVICE_TRANSITIONS, ServiceEvent, ServiceStatus
from casework.encryption.fields import encrypted

if TYPE_CHECKING:
    from casework.agencies.models import Agency
    from casework.auth.models import User
    from casework.cases.models import Case
    from casework.referrals.models import Referral


class SupportPlan(CaseChild, UUIDPrimaryKey, Timestamps, Base):
    """The case's support plan (HTCDS 2.0 Support Plan): its types (`spl_Type`, the
    standard's codes, vocab.SUPPORT_PLAN_TYPES), the assessment of needs, the objectives, the
    services needed; its action plan is its steps, its approvals say who approved what
    (casework/services/plans/)."""

    __tablename__ = "support_plans"
    __table_args__ = (UniqueConstraint("case_id"),)

    plan_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    assessment = encrypted()
    objectives = encrypted()
    planned_end_on: Mapped[date | None] = mapped_column(Date)
    actual_end_on: Mapped[date | None] = mapped_column(Date)
    service_types: Mapped[list[str]] = mapped_column(JSON, default=list)

    case: Mapped[Case] = relationship()


class ServiceRecord(CaseChild, UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "service_records"

    provider_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    referral_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referrals.id"), index=True)
    service_type: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ServiceStatus.PLANNED.value, index=True)
    discontinued_reason: Mapped[str | None] = mapped_column(String(40))
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    outcome: Mapped[str | None] = mapped_column(String(20))
    notes = encrypted()
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    # Optimistic locking: two partners saving the same record are told, not overwritten.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012

    case: Mapped[Case] = relationship()
    provider_agency: Mapped[Agency] = relationship()
    referral: Mapped[Referral | None] = relationship()
    sessions: Mapped[list[CounsellingSession]] = relationship(
        back_populates="service",
        cascade="all, delete-orphan",
        order_by="CounsellingSession.held_on",
    )

    def allows(self, event: ServiceEvent | str) -> bool:
        """May the record take `event` now (SERVICE_TRANSITIONS)?"""
        return SERVICE_TRANSITIONS.allows(self.status, event)


class CounsellingSession(CaseChild, UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "counselling_sessions"

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_records.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    counsellor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    modality: Mapped[str] = mapped_column(String(20))
    notes = encrypted()  # confidential to the providing agency (Action.VIEW_SESSION_NOTES)
    shared_summary = encrypted()  # what the counsellor chooses to share with the case's owners
    risk_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    next_appointment_on: Mapped[date | None] = mapped_column(Date)

    service: Mapped[ServiceRecord] = relationship(back_populates="sessions")
    case: Mapped[Case] = relationship()
    counsellor: Mapped[User | None] = relationship()
