"""The peers directory: installations this one trusts, their public keys and what each may
send. Public keys are not secrets; the private keys live in the keyring only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.db import Base, Timestamps, UTCDateTime, UUIDPrimaryKey
from casework.crypto.identity import PublicKeys, fingerprint_hex, fingerprint_words
from casework.domain import PEER_TRANSITIONS, PeerCapability, PeerEvent, PeerStatus


class Peer(UUIDPrimaryKey, Timestamps, Base):
    """Another Casework installation, added by an administrator after comparing fingerprints."""

    __tablename__ = "peers"

    name: Mapped[str] = mapped_column(String(120))
    # Where its identity document and inbox are (https://..., no trailing slash).
    address: Mapped[str] = mapped_column(String(300), index=True)
    status: Mapped[str] = mapped_column(String(16), default=PeerStatus.ACTIVE, index=True)
    # Hex of the fingerprint of its active signing key (what was compared aloud).
    fingerprint: Mapped[str] = mapped_column(String(32), index=True)
    # PublicKeys.to_json(): every current signing and encryption public key, by id.
    public_keys: Mapped[dict[str, Any]] = mapped_column(JSON)
    # What it may send us: PeerCapability codes.
    capabilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    keys_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last message that verified from it (health on the dashboard).
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def keys(self) -> PublicKeys:
        return PublicKeys.from_json(self.public_keys)

    @property
    def fingerprint_words(self) -> str:
        return fingerprint_words(bytes.fromhex(self.fingerprint))

    @property
    def fingerprint_hex(self) -> str:
        return fingerprint_hex(bytes.fromhex(self.fingerprint))

    @property
    def is_active(self) -> bool:
        return self.status == PeerStatus.ACTIVE

    def may_send(self, capability: PeerCapability) -> bool:
        return self.is_active and capability.value in self.capabilities

    def allows(self, event: PeerEvent) -> bool:
        return PEER_TRANSITIONS.allows(self.status, event)
