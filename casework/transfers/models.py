"""A transfer of a case's lead to another agency (decision 0091).

The proposal names the receiving agency and the field groups handed over, with a reason for
the receiver (encrypted under the case's key, like every record of the case). On acceptance
the case's `agency_id` moves to the receiver; `from_assignee_id` and `accepted_at` keep what
the sender may still read: its own records up to that moment.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.cases.models import CaseChild
from casework.core.db import Base, Timestamps, UTCDateTime, UUIDPrimaryKey
from casework.domain import TRANSFER_TRANSITIONS, TransferEvent, TransferStatus
from casework.encryption.fields import encrypted

if TYPE_CHECKING:
    from casework.agencies.models import Agency
    from casework.auth.models import User
    from casework.cases.models import Case


class CaseTransfer(CaseChild, UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "case_transfers"

    from_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    receiving_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    # Countries at the time of the proposal: a cross-border transfer stays one in the records.
    from_country: Mapped[str] = mapped_column(String(2))
    to_country: Mapped[str] = mapped_column(String(2))
    proposed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # The caseworker the case was assigned to when it was proposed: they keep reading what
    # their agency recorded once the transfer is accepted.
    from_assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    shared_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    reason = encrypted(required=True)
    decline_reason = encrypted()

    status: Mapped[str] = mapped_column(
        String(20), default=TransferStatus.PENDING.value, index=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()
    from_agency: Mapped[Agency] = relationship(foreign_keys=[from_agency_id])
    receiving_agency: Mapped[Agency] = relationship(foreign_keys=[receiving_agency_id])
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])

    @property
    def accepted_at(self) -> datetime | None:
        """When the case changed hands (None unless accepted)."""
        return self.decided_at if self.status == TransferStatus.ACCEPTED else None

    @property
    def cross_border(self) -> bool:
        return self.from_country != self.to_country

    def allows(self, event: TransferEvent | str) -> bool:
        """May the transfer take `event` now (TRANSFER_TRANSITIONS)?"""
        return TRANSFER_TRANSITIONS.allows(self.status, event)
