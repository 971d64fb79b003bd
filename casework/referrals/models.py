"""A referral of a case to another agency, for one or more services.

The receiving agency sees only the field groups the referral shares, only while it is
accepted and open (and the sharing consent stands); its own service records stay its own.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.cases.models import CaseChild
from casework.core.db import Base, Timestamps, UTCDateTime, UUIDPrimaryKey
from casework.domain import (
    REFERRAL_TRANSITIONS,
    ReferralEvent,
    ReferralStatus,
)
from casework.encryption.fields import encrypted
from casework.referrals import expiry

if TYPE_CHECKING:
    from casework.agencies.models import Agency
    from casework.cases.models import Case


class Referral(CaseChild, UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "referrals"

    from_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    to_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    # Countries at the time of referral: a cross-border referral stays one in the records.
    from_country: Mapped[str] = mapped_column(String(2))
    to_country: Mapped[str] = mapped_column(String(2))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    urgency: Mapped[str] = mapped_column(String(20))
    reason = encrypted(required=True)  # HTCDS cas_OutgoingReferralDetails (and incoming)
    reason_code: Mapped[str | None] = mapped_column(String(40))  # vocab.REFERRAL_REASONS
    decline_reason = encrypted()
    shared_groups: Mapped[list[str]] = mapped_column(JSON, default=list)

    status: Mapped[str] = mapped_column(
        String(20), default=ReferralStatus.PENDING.value, index=True
    )
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # HTCDS cas_ReferredPrimaryCaseWorker: who at the receiving agency works with the person,
    # named when it accepts.
    receiving_caseworker_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="referrals")
    from_agency: Mapped[Agency] = relationship(foreign_keys=[from_agency_id])
    to_agency: Mapped[Agency] = relationship(foreign_keys=[to_agency_id])
    services: Mapped[list[ReferralService]] = relationship(
        back_populates="referral", cascade="all, delete-orphan"
    )

    @property
    def cross_border(self) -> bool:
        return self.from_country != self.to_country

    @property
    def grants_access(self) -> bool:
        """The receiver may see the shared groups: accepted and not yet ended."""
        return self.status == ReferralStatus.ACCEPTED

    @property
    def effective_status(self) -> ReferralStatus:
        """The status as people see it: a pending referral past its deadline is expired from
        that moment, before the daily command records it (casework.referrals.expiry)."""
        return expiry.effective_status(self)

    def allows(self, event: ReferralEvent | str) -> bool:
        """May the referral take `event` now (REFERRAL_TRANSITIONS, from its effective status)?
        Operations and templates both ask this: `referral.allows('accept')`."""
        return REFERRAL_TRANSITIONS.allows(self.effective_status, event)

    @property
    def service_types(self) -> list[str]:
        return sorted(s.service_type for s in self.services)


class ReferralService(UUIDPrimaryKey, Base):
    """One service a referral asks for (for reports by service type)."""

    __tablename__ = "referral_services"
    __table_args__ = (UniqueConstraint("referral_id", "service_type"),)

    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id"), index=True)
    service_type: Mapped[str] = mapped_column(String(40), index=True)

    referral: Mapped[Referral] = relationship(back_populates="services")
