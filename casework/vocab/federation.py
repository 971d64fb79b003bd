"""Labels of the federation codes (peer statuses, what a peer may send)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from casework.domain import MessageType, PeerCapability, PeerStatus
from casework.vocab.base import Vocabulary

PEER_STATUSES = Vocabulary.of(
    "peer_statuses",
    PeerStatus,
    {
        PeerStatus.ACTIVE: _l("Trusted"),
        PeerStatus.SUSPENDED: _l("Suspended"),
        PeerStatus.REMOVED: _l("Removed"),
    },
)
PEER_CAPABILITIES = Vocabulary.of(
    "peer_capabilities",
    PeerCapability,
    {
        PeerCapability.REFERRALS: _l("Referrals"),
        PeerCapability.TRANSFERS: _l("Transfers of a case"),
        PeerCapability.STATISTICS: _l("Statistics releases"),
    },
)
MESSAGE_TYPES = Vocabulary.of(
    "message_types",
    MessageType,
    {
        MessageType.HELLO: _l("Connection check"),
        MessageType.REFERRAL: _l("Referral"),
        MessageType.TRANSFER: _l("Transfer of a case"),
        MessageType.ANSWER: _l("Answer to a referral or transfer"),
        MessageType.COMPLETION: _l("Completion"),
        MessageType.REVOCATION: _l("Revocation"),
        MessageType.CONSENT_WITHDRAWAL: _l("Consent withdrawn"),
        MessageType.RELEASE: _l("Statistics release"),
    },
)
