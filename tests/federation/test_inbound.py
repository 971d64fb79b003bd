"""Receiving: every refusal of `/federation/inbox`, over HTTP, audited; a message applies
once; order, replay, expiry, clock skew, removed and suspended peers, a rotated key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from casework.core.extensions import db
from casework.crypto import write_keyring_file
from casework.crypto.identity import FederationKeys, generate_federation_keys
from casework.crypto.messages import Envelope, encode_body, new_header, seal
from casework.domain import MessageType, PeerCapability
from casework.encryption import keys
from casework.federation import handlers, inbound, operations
from casework.federation.models import InboundReceipt, Peer
from tests.admin.conftest import audit_events
from tests.federation.installations import Installation

pytestmark = pytest.mark.usefixtures("federated")


def cambodia_keys(cambodia: Installation) -> FederationKeys:
    with cambodia.app.app_context():
        federation = keys.keyring().federation
    assert federation is not None
    return federation


def thailand_keys() -> FederationKeys:
    federation = keys.keyring().federation
    assert federation is not None
    return federation


def message(
    sender_keys: FederationKeys,
    *,
    sender: str,
    seq: int,
    type_: str = MessageType.HELLO,
    body: dict[str, Any] | None = None,
    receiver: str = "https://th.casework.test",
    now: datetime | None = None,
    ttl: timedelta = timedelta(hours=72),
) -> Envelope:
    mine = thailand_keys().public()
    enc_kid, receiver_key = mine.encryption_key()
    header = new_header(
        type_=type_,
        sender=sender,
        receiver=receiver,
        seq=seq,
        kid=sender_keys.signing_active,
        enc_kid=enc_kid,
        ttl=ttl,
        now=now,
    )
    return seal(
        header,
        encode_body(body or {}),
        signing_key=sender_keys.signing_private(),
        receiver_key=receiver_key,
    )


@pytest.fixture(autouse=True)
def _refresh_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbound, "_LAST_REFRESH", {})


@pytest.fixture
def trusted(cambodia: Installation) -> Iterator[Peer]:
    peer = operations.add_peer(
        None,
        address=cambodia.address,
        fingerprint=cambodia.fingerprint_words(),
        capabilities=[PeerCapability.STATISTICS],
    )
    db.session.commit()
    return peer


def post(client: FlaskClient, envelope: Envelope | bytes) -> tuple[int, dict[str, Any]]:
    raw = envelope if isinstance(envelope, bytes) else envelope.to_bytes()
    response = client.post("/federation/inbox", data=raw, content_type="application/json")
    return response.status_code, json.loads(response.get_data())


def refusals() -> list[str]:
    return [str(e.detail) for e in audit_events("federation.message_refused")]


def receipts() -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count()).select_from(InboundReceipt)) or 0)


def test_a_message_applies_once(client: FlaskClient, cambodia: Installation, trusted: Peer) -> None:
    envelope = message(cambodia_keys(cambodia), sender=cambodia.address, seq=1)
    assert post(client, envelope) == (200, {"status": "applied"})
    assert post(client, envelope) == (200, {"status": "duplicate"})
    assert receipts() == 1
    peer = db.session.get(Peer, trusted.id)
    assert peer is not None
    assert (peer.last_inbound_seq, peer.last_seen_at is not None) == (1, True)
    assert [e.detail for e in audit_events("federation.message_received")] == ["hello"]


def test_replays_are_refused(client: FlaskClient, cambodia: Installation, trusted: Peer) -> None:
    ck = cambodia_keys(cambodia)
    first = message(ck, sender=cambodia.address, seq=1)
    assert post(client, first)[0] == 200
    # The same place in the stream under a new id, and the same id with other bytes.
    assert post(client, message(ck, sender=cambodia.address, seq=1)) == (409, {"refused": "replay"})
    document = json.loads(first.to_bytes())
    document["header"]["seq"] = 2
    assert post(client, json.dumps(document).encode())[1]["refused"] == "bad-signature"
    assert receipts() == 1
    assert refusals() == ["replay:hello", "bad-signature:hello"]


def test_reordered_messages_wait_for_their_turn(
    client: FlaskClient, cambodia: Installation, trusted: Peer
) -> None:
    ck = cambodia_keys(cambodia)
    one, two, three = (message(ck, sender=cambodia.address, seq=n) for n in (1, 2, 3))
    assert post(client, one)[0] == 200
    assert post(client, three) == (409, {"refused": "out-of-order"})
    assert post(client, two)[0] == 200
    assert post(client, three)[0] == 200
    assert receipts() == 3
    assert refusals() == ["out-of-order:hello"]


def test_a_message_tampered_in_transit(
    client: FlaskClient, cambodia: Installation, trusted: Peer
) -> None:
    envelope = message(cambodia_keys(cambodia), sender=cambodia.address, seq=1)
    document = json.loads(envelope.to_bytes())
    raw = bytearray(envelope.ciphertext)
    raw[10] ^= 0xFF
    import base64

    document["ciphertext"] = base64.b64encode(bytes(raw)).decode()
    assert post(client, json.dumps(document).encode()) == (400, {"refused": "bad-signature"})
    assert receipts() == 0
    assert post(client, envelope)[0] == 200  # the genuine one still arrives


def test_wrong_receiver(client: FlaskClient, cambodia: Installation, trusted: Peer) -> None:
    envelope = message(
        cambodia_keys(cambodia), sender=cambodia.address, seq=1, receiver="https://vn.example"
    )
    assert post(client, envelope) == (400, {"refused": "wrong-receiver"})
    assert refusals() == ["wrong-receiver:hello"]


def test_unknown_suspended_and_removed_peers(
    client: FlaskClient, cambodia: Installation, trusted: Peer
) -> None:
    stranger = generate_federation_keys()
    assert post(client, message(stranger, sender="https://x.example", seq=1)) == (
        403,
        {"refused": "unknown-peer"},
    )
    # A stranger claiming to be Cambodia fails the signature.
    assert post(client, message(stranger, sender=cambodia.address, seq=1))[1] == {
        "refused": "unknown-key"
    }
    ck = cambodia_keys(cambodia)
    operations.suspend_peer(None, trusted)
    db.session.commit()
    assert post(client, message(ck, sender=cambodia.address, seq=1)) == (
        403,
        {"refused": "suspended-peer"},
    )
    operations.remove_peer(None, db.session.get(Peer, trusted.id))  # type: ignore[arg-type]
    db.session.commit()
    assert post(client, message(ck, sender=cambodia.address, seq=1)) == (
        403,
        {"refused": "removed-peer"},
    )
    assert receipts() == 0
    assert refusals() == [
        "unknown-peer:hello",
        "unknown-key:hello",
        "suspended-peer:hello",
        "removed-peer:hello",
    ]


def test_expiry_and_clock_skew(client: FlaskClient, cambodia: Installation, trusted: Peer) -> None:
    ck = cambodia_keys(cambodia)
    now = datetime.now(UTC)
    old = message(ck, sender=cambodia.address, seq=1, now=now - timedelta(days=4))
    # Authentic but too late: refused for good, and its place in the stream is used.
    assert post(client, old) == (200, {"status": "refused", "code": "past-expiry"})
    # A sender whose clock is three minutes ahead is fine; fifteen minutes is refused, not
    # settled (it may be sent again later).
    ahead = message(ck, sender=cambodia.address, seq=2, now=now + timedelta(minutes=3))
    assert post(client, ahead) == (200, {"status": "applied"})
    far = message(ck, sender=cambodia.address, seq=3, now=now + timedelta(minutes=15))
    assert post(client, far) == (400, {"refused": "from-the-future"})
    behind = message(ck, sender=cambodia.address, seq=3, now=now - timedelta(minutes=3))
    assert post(client, behind)[0] == 200
    assert refusals() == ["past-expiry:hello", "from-the-future:hello"]


def test_what_a_peer_may_send(
    client: FlaskClient, cambodia: Installation, trusted: Peer, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied: list[dict[str, Any]] = []

    def take(peer: Peer, header: Any, body: bytes) -> None:
        applied.append(json.loads(body))

    monkeypatch.setitem(
        handlers.HANDLERS, MessageType.REFERRAL.value, (PeerCapability.REFERRALS, take)
    )
    ck = cambodia_keys(cambodia)
    sent = message(ck, sender=cambodia.address, seq=1, type_=MessageType.REFERRAL, body={"n": 1})
    assert post(client, sent) == (200, {"status": "refused", "code": "not-allowed"})
    operations.set_peer_capabilities(None, trusted, ["referrals"])
    db.session.commit()
    again = message(ck, sender=cambodia.address, seq=2, type_=MessageType.REFERRAL, body={"n": 2})
    assert post(client, again) == (200, {"status": "applied"})
    assert applied == [{"n": 2}]
    unknown = message(ck, sender=cambodia.address, seq=3, type_="gossip")
    assert post(client, unknown) == (200, {"status": "refused", "code": "unsupported"})


def test_malformed(client: FlaskClient, trusted: Peer) -> None:
    assert post(client, b"{}") == (400, {"refused": "malformed"})
    assert refusals() == ["malformed"]


def test_a_peer_whose_key_was_rotated(
    app: Flask, client: FlaskClient, cambodia: Installation, trusted: Peer
) -> None:
    """A signing key we do not know yet: we fetch the peer's identity document; its rotation
    is followed because its old, trusted key signed it."""
    with cambodia.app.app_context():
        ring = keys.keyring()
        rotated = cambodia_keys(cambodia).with_new_signing_key().with_new_encryption_key()
        write_keyring_file(
            cambodia.app.config["KEY_FILE"], ring.with_federation(rotated), overwrite=True
        )
        keys.state().forget()
    try:
        envelope = message(rotated, sender=cambodia.address, seq=1)
        assert post(client, envelope) == (200, {"status": "applied"})
        assert audit_events("federation.peer_keys_updated")
        # A key nobody trusted signed is still refused; forged messages do not make us fetch
        # the peer's document more than once a minute.
        stranger = generate_federation_keys()
        fetched: list[str] = []
        real = inbound.update_peer_keys

        def counting(actor: Any, peer: Peer, document: Any = None) -> bool:
            fetched.append(peer.address)
            return real(actor, peer, document)

        inbound._LAST_REFRESH.clear()
        import unittest.mock

        with unittest.mock.patch.object(inbound, "update_peer_keys", counting):
            for seq in (2, 2, 2):
                assert post(client, message(stranger, sender=cambodia.address, seq=seq))[1] == {
                    "refused": "unknown-key"
                }
        assert fetched == [cambodia.address]
    finally:
        with cambodia.app.app_context():
            write_keyring_file(cambodia.app.config["KEY_FILE"], ring, overwrite=True)
            keys.state().forget()


def test_old_receipts_are_forgotten_and_their_messages_still_refused(
    client: FlaskClient, cambodia: Installation, trusted: Peer
) -> None:
    from casework.federation.jobs import forget_old_receipts

    ck = cambodia_keys(cambodia)
    sent = datetime.now(UTC) - timedelta(hours=71)
    old = message(ck, sender=cambodia.address, seq=1, now=sent)
    fresh = message(ck, sender=cambodia.address, seq=2)
    assert post(client, old)[0] == post(client, fresh)[0] == 200
    db.session.execute(
        InboundReceipt.__table__.update()
        .where(InboundReceipt.seq == 1)
        .values(received_at=datetime.now(UTC) - timedelta(hours=73))
    )
    db.session.commit()
    assert forget_old_receipts() == 1
    db.session.commit()
    assert receipts() == 1
    # Delivered again once forgotten: its place in the stream is taken (and soon it expires).
    assert post(client, old) == (409, {"refused": "replay"})
    assert post(client, fresh) == (200, {"status": "duplicate"})
