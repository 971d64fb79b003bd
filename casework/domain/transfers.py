"""A transfer of a case's lead from one agency to another (within one installation, across
borders included).

The owner proposes a transfer to another agency (with the person's current consent to that
agency, as for a referral); a supervisor of the receiving agency accepts or declines it; the
proposer's agency may withdraw it while it is pending. On acceptance the receiver owns the
case. A case closed as "Closed" withdraws a pending transfer; one closed as "Closed (referred)"
lets it go on (CONTINUING_CASE_STATUSES, decision 0090). Decision 0091.
"""

from __future__ import annotations

from enum import StrEnum

from casework.domain.lifecycle import Transitions


class TransferStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class TransferEvent(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    WITHDRAW = "withdraw"
    CLOSE_CASE = "close_case"  # the case was closed as "Closed": a pending transfer ends


PENDING_TRANSFER = TransferStatus.PENDING
TRANSFER_TRANSITIONS = Transitions(
    "transfer",
    TransferStatus,
    TransferEvent,
    {
        (PENDING_TRANSFER, TransferEvent.ACCEPT): TransferStatus.ACCEPTED,
        (PENDING_TRANSFER, TransferEvent.DECLINE): TransferStatus.DECLINED,
        (PENDING_TRANSFER, TransferEvent.WITHDRAW): TransferStatus.WITHDRAWN,
        (PENDING_TRANSFER, TransferEvent.CLOSE_CASE): TransferStatus.WITHDRAWN,
    },
    initial=[TransferStatus.PENDING],
)
