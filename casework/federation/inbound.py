"""Receiving a message from a peer (`POST /federation/inbox`).

In order: the envelope parses; it is addressed to us; its sender is a peer we trust (not
unknown, suspended or removed: a signing key we do not know yet makes us fetch the peer's
identity document once, to follow a rotation a trusted key signed); the signature verifies;
then, under the peer row's lock, a message id seen before with the same bytes is a duplicate
(answered as applied, acting once) and with other bytes a replay; the sequence number must be
the next in the peer's stream (an older one is a replay, a later one waits: out of order);
the clock (expiry, or sent in the future, with FEDERATION_CLOCK_SKEW_SECONDS of tolerance);
the peer may send this type; the body opens under our encryption key; the type's handler
applies it. Every refusal is audited (codes and ids only).

Answers: 200 {"status": "applied" | "duplicate"}, 200 {"status": "refused", "code"} when the
message was authentic but refused for good (its place in the stream is used, so the stream
goes on), 4xx {"refused": code} when the sender should try again later or not at all.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from casework import audit
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.crypto.errors import KeyNotFound
from casework.crypto.messages import Envelope, MessageRefused, check_time, open_body, parse, verify
from casework.domain import PeerStatus
from casework.federation import handlers
from casework.federation.identity import local_address, local_keys
from casework.federation.models import InboundReceipt, Peer
from casework.federation.operations import PeerError, update_peer_keys


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


REFRESH_SECONDS = 60.0
_LAST_REFRESH: dict[uuid.UUID, float] = {}

# Refusals that leave the message's place in the stream free: the sender may try again.
PEER_REFUSALS = {"unknown-peer": 403, "suspended-peer": 403, "removed-peer": 403}


def receive(raw: bytes) -> Answer:
    try:
        return _receive(raw)
    except MessageRefused as refusal:
        return _refuse(refusal.code, None, None)


def _receive(raw: bytes) -> Answer:
    envelope = parse(raw, max_bytes=int(current_app.config["FEDERATION_MAX_MESSAGE_BYTES"]))
    header = envelope.header
    if header.receiver.rstrip("/") != local_address():
        return _refuse("wrong-receiver", None, envelope)
    peer = _sender(header.sender)
    if peer is None:
        return _refuse("unknown-peer", None, envelope)
    if peer.status != PeerStatus.ACTIVE:
        code = "removed-peer" if peer.status == PeerStatus.REMOVED else "suspended-peer"
        return _refuse(code, peer, envelope)
    try:
        signing_key = _signing_key(peer, header.kid)
    except MessageRefused as refusal:
        return _refuse(refusal.code, peer, envelope)
    try:
        verify(envelope, signing_key)
    except MessageRefused as refusal:
        return _refuse(refusal.code, peer, envelope)
    peer = _locked(peer)
    digest = hashlib.sha256(raw).hexdigest()
    seen = db.session.execute(
        select(InboundReceipt).where(InboundReceipt.message_id == header.id)
    ).scalar_one_or_none()
    if seen is not None:
        if seen.peer_id == peer.id and seen.digest == digest:
            audit.record("federation.message_duplicate", target=seen, detail=header.type)
            return Answer(200, {"status": "duplicate"})
        return _refuse("replay", peer, envelope)
    if header.seq <= peer.last_inbound_seq:
        return _refuse("replay", peer, envelope)
    if header.seq > peer.last_inbound_seq + 1:
        return _refuse("out-of-order", peer, envelope)
    skew = timedelta(seconds=float(current_app.config["FEDERATION_CLOCK_SKEW_SECONDS"]))
    try:
        check_time(envelope, now=utcnow(), skew=skew)
    except MessageRefused as refusal:
        if refusal.code == "from-the-future":
            return _refuse(refusal.code, peer, envelope)  # may be fine later: not settled
        return _settle_refused(refusal.code, peer, envelope, digest)
    try:
        handler = handlers.for_type(header.type, peer)
        body = open_body(envelope, local_keys().encryption_private(header.enc_kid))
        handler(peer, header, body)
    except KeyNotFound:
        return _settle_refused("undecryptable", peer, envelope, digest)
    except MessageRefused as refusal:
        return _settle_refused(refusal.code, peer, envelope, digest)
    receipt = _receipt(peer, envelope, digest, "applied")
    audit.record("federation.message_received", target=receipt, detail=header.type)
    return Answer(200, {"status": "applied"})


def _sender(address: str) -> Peer | None:
    """The peer at `address`: a trusted or suspended one first, else the last removed one."""
    rows = (
        db.session.execute(
            select(Peer).where(Peer.address == address.rstrip("/")).order_by(Peer.created_at.desc())
        )
        .scalars()
        .all()
    )
    current = [p for p in rows if p.status != PeerStatus.REMOVED]
    chosen = current or list(rows)
    return chosen[0] if chosen else None


def _signing_key(peer: Peer, kid: str) -> Any:
    try:
        return peer.keys.signing_key(kid)
    except KeyNotFound:
        pass
    # A key we do not know: perhaps the peer rotated (followed only if a trusted key signed
    # the new document). Fetched at most once a minute per peer and process, so that forged
    # messages cannot make us hammer a peer.
    now = time.monotonic()
    if now - _LAST_REFRESH.get(peer.id, -REFRESH_SECONDS) < REFRESH_SECONDS:
        raise MessageRefused("unknown-key")
    _LAST_REFRESH[peer.id] = now
    try:
        update_peer_keys(None, peer)
    except PeerError:
        raise MessageRefused("unknown-key") from None
    try:
        return peer.keys.signing_key(kid)
    except KeyNotFound:
        raise MessageRefused("unknown-key") from None


def _locked(peer: Peer) -> Peer:
    return db.session.execute(
        select(Peer)
        .where(Peer.id == peer.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _receipt(peer: Peer, envelope: Envelope, digest: str, outcome: str) -> InboundReceipt:
    header = envelope.header
    receipt = InboundReceipt(
        peer_id=peer.id,
        message_id=header.id,
        type=header.type[:32],
        seq=header.seq,
        digest=digest,
        outcome=outcome,
        received_at=utcnow(),
    )
    db.session.add(receipt)
    peer.last_inbound_seq = header.seq
    peer.last_seen_at = utcnow()
    db.session.flush()
    return receipt


def _settle_refused(code: str, peer: Peer, envelope: Envelope, digest: str) -> Answer:
    """An authentic message refused for good: its place in the stream is used."""
    receipt = _receipt(peer, envelope, digest, code)
    audit.record(
        "federation.message_refused",
        target=receipt,
        outcome="refused",
        detail=f"{code}:{envelope.header.type[:32]}",
    )
    return Answer(200, {"status": "refused", "code": code})


def _refuse(code: str, peer: Peer | None, envelope: Envelope | None) -> Answer:
    audit.record(
        "federation.message_refused",
        target=peer,
        outcome="refused",
        detail=code if envelope is None else f"{code}:{envelope.header.type[:32]}",
        durable=True,
    )
    status = PEER_REFUSALS.get(code, 409 if code in ("replay", "out-of-order") else 400)
    return Answer(status, {"refused": code})
