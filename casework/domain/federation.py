"""Federation codes: the life cycle of a peer installation in the directory, and what a peer
may send (decision 0170).

A peer is added active; an administrator may suspend it (nothing it sends is accepted, and
nothing is sent to it, until it is resumed) or remove it (for good: re-adding it takes a new
key ceremony and a new row).
"""

from __future__ import annotations

from enum import StrEnum

from casework.domain.lifecycle import Transitions


class PeerStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REMOVED = "removed"


class PeerEvent(StrEnum):
    SUSPEND = "suspend"
    RESUME = "resume"
    REMOVE = "remove"


class PeerCapability(StrEnum):
    """What a peer may send us (each message type needs one)."""

    REFERRALS = "referrals"
    TRANSFERS = "transfers"
    STATISTICS = "statistics"


class MessageType(StrEnum):
    """What travels between installations (each type has a handler on the receiving side)."""

    HELLO = "hello"  # a connection check an administrator sends
    REFERRAL = "referral"
    TRANSFER = "transfer"
    ANSWER = "answer"  # accept, or decline with a reason
    COMPLETION = "completion"
    REVOCATION = "revocation"
    CONSENT_WITHDRAWAL = "consent_withdrawal"
    RELEASE = "release"  # a national statistics release for the regional hub


PEER_TRANSITIONS = Transitions(
    "peer",
    PeerStatus,
    PeerEvent,
    {
        (PeerStatus.ACTIVE, PeerEvent.SUSPEND): PeerStatus.SUSPENDED,
        (PeerStatus.ACTIVE, PeerEvent.REMOVE): PeerStatus.REMOVED,
        (PeerStatus.SUSPENDED, PeerEvent.RESUME): PeerStatus.ACTIVE,
        (PeerStatus.SUSPENDED, PeerEvent.REMOVE): PeerStatus.REMOVED,
    },
    initial=[PeerStatus.ACTIVE],
)
