"""A referral's life cycle.

The receiving agency answers a pending referral (accept or decline); an accepted referral gives
it access to the shared field groups until it completes the referral or the sender revokes it.
A pending referral nobody answers expires (casework.referrals.expiry: it counts as expired from
its deadline, and the daily command records it). Closing the case as "Closed" ends its
referrals: accepted ones are completed, pending ones revoked. Closing it as "Closed (referred)"
ends none: the case continues with the agencies it was referred to (CONTINUING_CASE_STATUSES).
"""

from __future__ import annotations

from enum import StrEnum

from casework.domain.lifecycle import Transitions


class ReferralStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"
    REVOKED = "revoked"
    EXPIRED = "expired"


class ReferralEvent(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    COMPLETE = "complete"
    REVOKE = "revoke"
    EXPIRE = "expire"
    CLOSE_CASE = "close_case"  # the case was closed: its referrals end


# Waiting for an answer or running: the receiver may still act, the sender may revoke.
OPEN_REFERRAL_STATUSES = frozenset({ReferralStatus.PENDING, ReferralStatus.ACCEPTED})

PENDING, ACCEPTED = ReferralStatus.PENDING, ReferralStatus.ACCEPTED
REFERRAL_TRANSITIONS = Transitions(
    "referral",
    ReferralStatus,
    ReferralEvent,
    {
        (PENDING, ReferralEvent.ACCEPT): ReferralStatus.ACCEPTED,
        (PENDING, ReferralEvent.DECLINE): ReferralStatus.DECLINED,
        (PENDING, ReferralEvent.REVOKE): ReferralStatus.REVOKED,
        (PENDING, ReferralEvent.EXPIRE): ReferralStatus.EXPIRED,
        (PENDING, ReferralEvent.CLOSE_CASE): ReferralStatus.REVOKED,
        (ACCEPTED, ReferralEvent.COMPLETE): ReferralStatus.COMPLETED,
        (ACCEPTED, ReferralEvent.REVOKE): ReferralStatus.REVOKED,
        (ACCEPTED, ReferralEvent.CLOSE_CASE): ReferralStatus.COMPLETED,
    },
    initial=[ReferralStatus.PENDING],
)
