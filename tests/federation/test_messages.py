"""Federation messages, unit by unit: sealing and opening, and each refusal of the envelope
(tamper, wrong key, expiry, clock skew, malformed)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

import pytest

from casework.crypto.identity import generate_federation_keys
from casework.crypto.messages import (
    Envelope,
    MessageRefused,
    check_time,
    encode_body,
    new_header,
    open_body,
    parse,
    seal,
    verify,
)

SENDER, RECEIVER = generate_federation_keys(), generate_federation_keys()
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
SKEW = timedelta(minutes=5)
MAX = 1_000_000


def sealed(body: bytes = b'{"hello": "world"}', **changes: object) -> Envelope:
    enc_kid, receiver_key = RECEIVER.public().encryption_key()
    header = new_header(
        type_="hello",
        sender="https://th.example",
        receiver="https://kh.example",
        seq=1,
        kid=SENDER.signing_active,
        enc_kid=enc_kid,
        ttl=timedelta(hours=72),
        now=NOW,
    )
    return seal(header, body, signing_key=SENDER.signing_private(), receiver_key=receiver_key)


def roundtrip(envelope: Envelope) -> Envelope:
    return parse(envelope.to_bytes(), max_bytes=MAX)


def test_seal_and_open() -> None:
    envelope = roundtrip(sealed(encode_body({"a": 1})))
    verify(envelope, SENDER.public().signing_key(SENDER.signing_active))
    check_time(envelope, now=NOW, skew=SKEW)
    body = open_body(envelope, RECEIVER.encryption_private(envelope.header.enc_kid))
    assert json.loads(body) == {"a": 1}
    assert b"hello" not in envelope.ciphertext  # the body travels encrypted


def _mutated(path: tuple[str, ...], value: object) -> bytes:
    document = json.loads(sealed().to_bytes())
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("type", "referral"),
        ("sender", "https://attacker.example"),
        ("receiver", "https://elsewhere.example"),
        ("seq", 2),
        ("sent_at", "2026-12-08T12:00:00+00:00"),
        ("expires_at", "2027-12-07T12:00:00+00:00"),
        ("id", "7b1e3b8e-7d1c-4c9a-9a43-5d6b3c2b1a00"),
    ],
)
def test_a_changed_header_fails_the_signature(field: str, value: object) -> None:
    envelope = parse(_mutated(("header", field), value), max_bytes=MAX)
    with pytest.raises(MessageRefused) as refused:
        verify(envelope, SENDER.public().signing_key(SENDER.signing_active))
    assert refused.value.code == "bad-signature"


def test_a_changed_body_fails_the_signature_and_does_not_open() -> None:
    envelope = sealed()
    flipped = bytearray(envelope.ciphertext)
    flipped[-1] ^= 1
    tampered = Envelope(envelope.header, bytes(flipped), envelope.signature)
    with pytest.raises(MessageRefused, match="bad-signature"):
        verify(tampered, SENDER.public().signing_key(SENDER.signing_active))
    with pytest.raises(MessageRefused, match="undecryptable"):
        open_body(tampered, RECEIVER.encryption_private(envelope.header.enc_kid))


def test_a_body_moved_under_another_header_does_not_open() -> None:
    """Even re-signed by the sender's key, a ciphertext opens only under its own header."""
    one, other = sealed(), sealed()
    moved = Envelope(other.header, one.ciphertext, b"")
    with pytest.raises(MessageRefused, match="undecryptable"):
        open_body(moved, RECEIVER.encryption_private(one.header.enc_kid))


def test_another_installations_key_does_not_open_it() -> None:
    stranger = generate_federation_keys()
    with pytest.raises(MessageRefused, match="undecryptable"):
        open_body(sealed(), stranger.encryption_private(stranger.encryption_active))


def test_another_signing_key_is_refused() -> None:
    stranger = generate_federation_keys()
    with pytest.raises(MessageRefused, match="bad-signature"):
        verify(sealed(), stranger.public().signing_key(stranger.signing_active))


@pytest.mark.parametrize(
    ("moment", "code"),
    [
        (NOW + timedelta(hours=72, minutes=6), "past-expiry"),
        (NOW - timedelta(minutes=6), "from-the-future"),
    ],
)
def test_time_refusals(moment: datetime, code: str) -> None:
    with pytest.raises(MessageRefused) as refused:
        check_time(sealed(), now=moment, skew=SKEW)
    assert refused.value.code == code


@pytest.mark.parametrize(
    "moment",
    [NOW - timedelta(minutes=4), NOW + timedelta(hours=72, minutes=4)],
)
def test_a_few_minutes_of_clock_skew_are_tolerated(moment: datetime) -> None:
    check_time(sealed(), now=moment, skew=SKEW)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[]",
        b'{"header": {}, "ciphertext": "", "signature": ""}',
        _mutated(("header", "seq"), 0),
        _mutated(("header", "seq"), "1"),
        _mutated(("header", "id"), "not-a-uuid"),
        _mutated(("header", "sent_at"), "2026-12-07T12:00:00"),
        _mutated(("header", "extra"), "x"),
        _mutated(("ciphertext",), "***"),
    ],
)
def test_malformed_envelopes(raw: bytes) -> None:
    with pytest.raises(MessageRefused) as refused:
        parse(raw, max_bytes=MAX)
    assert refused.value.code == "malformed"


def test_too_large() -> None:
    raw = sealed(b"x" * 2000).to_bytes()
    with pytest.raises(MessageRefused, match="too-large"):
        parse(raw, max_bytes=1000)


def test_the_envelope_survives_a_copy() -> None:
    envelope = sealed()
    assert roundtrip(copy.deepcopy(envelope)) == envelope
