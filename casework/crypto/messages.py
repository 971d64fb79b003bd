"""Federation messages: a signed envelope whose body is encrypted to the receiving
installation with HPKE (RFC 9180: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, from
`cryptography`'s `hpke`; no hand-made hybrid encryption).

The header names the sender and receiver installations (their addresses), the message id,
type, sequence number in the sender -> receiver stream, when it was sent and until when it
may be applied, the sender's signing key id and the receiver's encryption key id. The header
is the HPKE `info`, so the body opens only under that exact header, and the Ed25519 signature
covers the header and the ciphertext together::

    {"header": {...}, "ciphertext": "<base64>", "signature": "<base64>"}

Each check refuses with a `MessageRefused` whose `code` the receiver audits and answers with
(never anything from the body). What is checked against the peers directory, the clock and the
receipts (unknown peer, replay, order) is the receiver's job (`casework.federation.inbound`).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from casework.crypto.errors import CryptoError
from casework.crypto.identity import canonical

MESSAGE_VERSION = 1
SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
_INFO_PREFIX = b"casework-federation-message-v1|"
_HEADER_FIELDS = frozenset(
    {
        "v",
        "id",
        "type",
        "sender",
        "receiver",
        "seq",
        "sent_at",
        "expires_at",
        "kid",
        "enc_kid",
    }
)


class MessageRefused(CryptoError):
    """A message was refused; `code` says why in a word (audited, answered to the sender)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Header:
    id: str
    type: str
    sender: str
    receiver: str
    seq: int
    sent_at: str
    expires_at: str
    kid: str
    enc_kid: str
    v: int = MESSAGE_VERSION

    @property
    def sent(self) -> datetime:
        return datetime.fromisoformat(self.sent_at)

    @property
    def expires(self) -> datetime:
        return datetime.fromisoformat(self.expires_at)

    def info(self) -> bytes:
        return _INFO_PREFIX + canonical(asdict(self))


@dataclass(frozen=True)
class Envelope:
    header: Header
    ciphertext: bytes
    signature: bytes

    def signed_bytes(self) -> bytes:
        return canonical({"header": asdict(self.header), "ciphertext": _b64(self.ciphertext)})

    def to_bytes(self) -> bytes:
        return canonical(
            {
                "header": asdict(self.header),
                "ciphertext": _b64(self.ciphertext),
                "signature": _b64(self.signature),
            }
        )


def new_header(
    *,
    type_: str,
    sender: str,
    receiver: str,
    seq: int,
    kid: str,
    enc_kid: str,
    ttl: timedelta,
    now: datetime | None = None,
    message_id: str | None = None,
) -> Header:
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return Header(
        id=message_id or str(uuid.uuid4()),
        type=type_,
        sender=sender,
        receiver=receiver,
        seq=seq,
        sent_at=moment.isoformat(),
        expires_at=(moment + ttl).isoformat(),
        kid=kid,
        enc_kid=enc_kid,
    )


def seal(
    header: Header,
    body: bytes,
    *,
    signing_key: Ed25519PrivateKey,
    receiver_key: X25519PublicKey,
) -> Envelope:
    """Encrypt `body` to the receiver under `header` and sign both."""
    ciphertext = SUITE.encrypt(body, receiver_key, info=header.info())
    unsigned = Envelope(header, ciphertext, b"")
    return Envelope(header, ciphertext, signing_key.sign(unsigned.signed_bytes()))


def parse(raw: bytes, *, max_bytes: int) -> Envelope:
    """The envelope in `raw`; MessageRefused("malformed") for anything else."""
    if len(raw) > max_bytes:
        raise MessageRefused("too-large")
    try:
        document = json.loads(raw)
        header_data = document["header"]
        if not isinstance(header_data, dict) or set(header_data) != _HEADER_FIELDS:
            raise ValueError
        header = Header(**header_data)
        if header.v != MESSAGE_VERSION:
            raise ValueError
        for text in (header.id, header.type, header.sender, header.receiver, header.kid):
            if not isinstance(text, str) or not text or len(text) > 300:
                raise ValueError
        if not isinstance(header.seq, int) or isinstance(header.seq, bool) or header.seq < 1:
            raise ValueError
        uuid.UUID(header.id)
        if header.sent.tzinfo is None or header.expires.tzinfo is None:
            raise ValueError
        envelope = Envelope(header, _unb64(document["ciphertext"]), _unb64(document["signature"]))
    except (ValueError, TypeError, KeyError, AttributeError):
        raise MessageRefused("malformed") from None
    return envelope


def verify(envelope: Envelope, signing_key: Ed25519PublicKey) -> None:
    """MessageRefused("bad-signature") unless the sender's key signed header and body."""
    try:
        signing_key.verify(envelope.signature, envelope.signed_bytes())
    except InvalidSignature:
        raise MessageRefused("bad-signature") from None


def check_time(envelope: Envelope, *, now: datetime, skew: timedelta) -> None:
    """Refuse a message sent in the future or past its expiry, with `skew` of tolerance for
    the two installations' clocks."""
    if envelope.header.sent - skew > now:
        raise MessageRefused("from-the-future")
    if envelope.header.expires + skew < now:
        raise MessageRefused("past-expiry")
    if envelope.header.expires < envelope.header.sent:
        raise MessageRefused("malformed")


def open_body(envelope: Envelope, private_key: X25519PrivateKey) -> bytes:
    """The decrypted body; MessageRefused("undecryptable") if it does not open under this
    header with this key (tampered, or encrypted to another key)."""
    try:
        return bytes(SUITE.decrypt(envelope.ciphertext, private_key, info=envelope.header.info()))
    except (InvalidTag, ValueError):
        raise MessageRefused("undecryptable") from None


def body_json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        raise MessageRefused("malformed") from None
    if not isinstance(data, dict):
        raise MessageRefused("malformed")
    return data


def encode_body(data: Mapping[str, Any]) -> bytes:
    return canonical(data)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(value: object) -> bytes:
    if not isinstance(value, str):
        raise ValueError("not base64 text")
    return base64.b64decode(value, validate=True)
