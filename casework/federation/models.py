"""The peers directory: installations this one trusts, their public keys and what each may
send. Public keys are not secrets; the private keys live in the keyring only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.core.db import Base, Timestamps, UTCDateTime, UUIDPrimaryKey, utcnow
from casework.crypto.identity import PublicKeys, fingerprint_hex, fingerprint_words
from casework.domain import PEER_TRANSITIONS, PeerCapability, PeerEvent, PeerStatus
from casework.jobs.models import WorkItem


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
    # Our stream to it: the number the next message gets; its stream to us: the last applied.
    next_outbound_seq: Mapped[int] = mapped_column(Integer, default=1)
    last_inbound_seq: Mapped[int] = mapped_column(Integer, default=0)

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


class OutboundMessage(WorkItem, UUIDPrimaryKey, Base):
    """A message to a peer, sealed (signed, body encrypted to the peer) when written, in the
    same transaction as the change that causes it; delivered by the job queue in `seq` order.
    Nothing in it is readable here: the body is encrypted to the receiver."""

    __tablename__ = "federation_outbox"
    __table_args__ = (UniqueConstraint("peer_id", "seq"),)

    peer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("peers.id"), index=True)
    message_id: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer)
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
    # What it is about, for the sender's status ("referral", id): ids only.
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # The receiver settled it (applied it, or refused it for good and moved past its seq).
    settled: Mapped[bool] = mapped_column(Boolean, default=False)
    # "applied", or the receiver's refusal code.
    answer: Mapped[str | None] = mapped_column(String(40))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_attempts: Mapped[int] = mapped_column(Integer, default=10)

    peer: Mapped[Peer] = relationship()


class InboundReceipt(UUIDPrimaryKey, Base):
    """A message received from a peer whose signature verified: its id (so a second delivery
    acts once), its place in the peer's stream and what became of it. Never its body."""

    __tablename__ = "federation_receipts"
    __table_args__ = (UniqueConstraint("peer_id", "seq"),)

    peer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("peers.id"), index=True)
    message_id: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer)
    # SHA-256 of the envelope: the same id with other bytes is a replay, not a duplicate.
    digest: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
