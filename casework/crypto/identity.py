"""An installation's federation identity: Ed25519 signing keys and X25519 encryption keys.

Kept in the keyring (the `federation` section of the key file), never in the database::

    "federation": {
      "signing_active": "5c1e09ab",
      "signing": {"5c1e09ab": {"key": "<base64 raw Ed25519 private>", "created": "..."}},
      "encryption_active": "e07b6612",
      "encryption": {"e07b6612": {"key": "<base64 raw X25519 private>", "created": "..."}}
    }

One key of each kind is active; older ones stay until retired so that messages in flight
still open and peers can follow a rotation: the identity document (`identity_document`) lists
every current key and is signed by every current signing key, so a peer that trusts the old
signing key learns the new one from a document the old key signed (decision 0170).

The fingerprint a peer compares out of band is that of the active signing key: SHA-256 of its
raw public bytes, the first 128 bits, shown as 12 words (BIP-39 English list, `mnemonic`) or
as hex groups.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from mnemonic import Mnemonic

from casework.crypto.errors import KeyNotFound, KeyringError

IDENTITY_TYPE = "casework.federation.identity"
IDENTITY_VERSION = 1
FINGERPRINT_BYTES = 16
_RAW = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)
_WORDS = Mnemonic("english")


class IdentityError(KeyringError):
    """An identity document is malformed, unsigned, or signed by no key we trust."""


@dataclass(frozen=True, repr=False)
class IdentityKey:
    """One private key (raw 32 bytes) and when it was made."""

    key: bytes
    created: str

    def __repr__(self) -> str:
        return f"IdentityKey(created={self.created!r})"


@dataclass(frozen=True)
class PublicKeys:
    """What a peer publishes: its signing and encryption public keys by id, and which are
    active. This is what the peers table stores (public keys are not secrets)."""

    signing: Mapping[str, bytes]
    encryption: Mapping[str, bytes]
    signing_active: str
    encryption_active: str
    issued: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> bytes:
        return fingerprint(self.signing[self.signing_active])

    def signing_key(self, kid: str) -> Ed25519PublicKey:
        raw = self.signing.get(kid)
        if raw is None:
            raise KeyNotFound(f"no signing key {kid!r} for this peer")
        return Ed25519PublicKey.from_public_bytes(raw)

    def encryption_key(self) -> tuple[str, X25519PublicKey]:
        raw = self.encryption[self.encryption_active]
        return self.encryption_active, X25519PublicKey.from_public_bytes(raw)

    def to_json(self) -> dict[str, Any]:
        return {
            "signing": {kid: _b64(raw) for kid, raw in sorted(self.signing.items())},
            "encryption": {kid: _b64(raw) for kid, raw in sorted(self.encryption.items())},
            "signing_active": self.signing_active,
            "encryption_active": self.encryption_active,
            "issued": self.issued,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PublicKeys:
        try:
            keys = cls(
                signing={str(k): _unb64(v) for k, v in dict(data["signing"]).items()},
                encryption={str(k): _unb64(v) for k, v in dict(data["encryption"]).items()},
                signing_active=str(data["signing_active"]),
                encryption_active=str(data["encryption_active"]),
                issued=str(data.get("issued", "")),
            )
        except (KeyError, TypeError, ValueError):
            raise IdentityError("the public keys are malformed") from None
        if keys.signing_active not in keys.signing or keys.encryption_active not in keys.encryption:
            raise IdentityError("an active key is not among the keys")
        if any(len(raw) != 32 for raw in (*keys.signing.values(), *keys.encryption.values())):
            raise IdentityError("a public key is not 32 bytes")
        return keys


@dataclass(frozen=True)
class FederationKeys:
    """This installation's private federation keys (immutable; rotation returns a copy)."""

    signing: Mapping[str, IdentityKey]
    signing_active: str
    encryption: Mapping[str, IdentityKey]
    encryption_active: str

    def __post_init__(self) -> None:
        if self.signing_active not in self.signing:
            raise KeyringError("the active federation signing key is not among the keys")
        if self.encryption_active not in self.encryption:
            raise KeyringError("the active federation encryption key is not among the keys")
        for kid, entry in (*self.signing.items(), *self.encryption.items()):
            if len(entry.key) != 32:
                raise KeyringError(f"federation key {kid!r} must be 32 bytes")

    def __repr__(self) -> str:
        return (
            f"FederationKeys(signing_active={self.signing_active!r}, "
            f"encryption_active={self.encryption_active!r})"
        )

    def signing_private(self, kid: str | None = None) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.signing[kid or self.signing_active].key)

    def encryption_private(self, kid: str) -> X25519PrivateKey:
        entry = self.encryption.get(kid)
        if entry is None:
            raise KeyNotFound(f"no federation encryption key {kid!r} in the keyring")
        return X25519PrivateKey.from_private_bytes(entry.key)

    def public(self) -> PublicKeys:
        return PublicKeys(
            signing={
                kid: Ed25519PrivateKey.from_private_bytes(e.key).public_key().public_bytes(*_RAW)
                for kid, e in self.signing.items()
            },
            encryption={
                kid: X25519PrivateKey.from_private_bytes(e.key).public_key().public_bytes(*_RAW)
                for kid, e in self.encryption.items()
            },
            signing_active=self.signing_active,
            encryption_active=self.encryption_active,
        )

    @property
    def fingerprint(self) -> bytes:
        return self.public().fingerprint

    def with_new_signing_key(self) -> FederationKeys:
        kid = _new_id(self.signing)
        signing = {**self.signing, kid: IdentityKey(_raw_ed25519(), _now())}
        return FederationKeys(signing, kid, self.encryption, self.encryption_active)

    def with_new_encryption_key(self) -> FederationKeys:
        kid = _new_id(self.encryption)
        encryption = {**self.encryption, kid: IdentityKey(_raw_x25519(), _now())}
        return FederationKeys(self.signing, self.signing_active, encryption, kid)

    def without_key(self, kid: str) -> FederationKeys:
        """A copy without the old (not active) key `kid`, signing or encryption."""
        if kid in (self.signing_active, self.encryption_active):
            raise KeyringError(f"cannot retire the active federation key {kid!r}; rotate first")
        if kid not in self.signing and kid not in self.encryption:
            raise KeyNotFound(f"no federation key {kid!r} in the keyring")
        return FederationKeys(
            {k: v for k, v in self.signing.items() if k != kid},
            self.signing_active,
            {k: v for k, v in self.encryption.items() if k != kid},
            self.encryption_active,
        )

    def to_json(self) -> dict[str, Any]:
        def entries(keys: Mapping[str, IdentityKey]) -> dict[str, dict[str, str]]:
            return {k: {"key": _b64(e.key), "created": e.created} for k, e in sorted(keys.items())}

        return {
            "signing_active": self.signing_active,
            "signing": entries(self.signing),
            "encryption_active": self.encryption_active,
            "encryption": entries(self.encryption),
        }

    @classmethod
    def from_json(cls, data: object) -> FederationKeys:
        if not isinstance(data, dict) or set(data) != {
            "signing_active",
            "signing",
            "encryption_active",
            "encryption",
        }:
            raise KeyringError(
                "'federation' must hold signing_active, signing, encryption_active, encryption"
            )

        def entries(raw: object, what: str) -> dict[str, IdentityKey]:
            if not isinstance(raw, dict) or not raw:
                raise KeyringError(f"federation '{what}' must be a non-empty object")
            out = {}
            for kid, entry in raw.items():
                if not isinstance(entry, dict) or set(entry) != {"key", "created"}:
                    raise KeyringError(f"federation {what} key {kid!r} must hold key, created")
                try:
                    out[str(kid)] = IdentityKey(_unb64(entry["key"]), str(entry["created"]))
                except ValueError:
                    raise KeyringError(f"federation {what} key {kid!r} is not base64") from None
            return out

        return cls(
            entries(data["signing"], "signing"),
            str(data["signing_active"]),
            entries(data["encryption"], "encryption"),
            str(data["encryption_active"]),
        )


def generate_federation_keys() -> FederationKeys:
    sid, eid = secrets.token_hex(4), secrets.token_hex(4)
    return FederationKeys(
        {sid: IdentityKey(_raw_ed25519(), _now())},
        sid,
        {eid: IdentityKey(_raw_x25519(), _now())},
        eid,
    )


def fingerprint(signing_public: bytes) -> bytes:
    return hashlib.sha256(b"casework-federation-v1|" + signing_public).digest()[:FINGERPRINT_BYTES]


def fingerprint_words(print_: bytes) -> str:
    """12 words a person reads aloud (BIP-39 English list; the last word carries a checksum,
    so a misheard word is caught)."""
    return str(_WORDS.to_mnemonic(print_))


def fingerprint_hex(print_: bytes) -> str:
    text = print_.hex().upper()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_fingerprint(text: str) -> bytes:
    """The fingerprint from the 12 words (or the hex groups) a person typed; ValueError."""
    cleaned = " ".join(text.lower().split())
    if not cleaned:
        raise ValueError("empty fingerprint")
    compact = cleaned.replace(" ", "").replace(":", "")
    if len(compact) == FINGERPRINT_BYTES * 2 and all(c in "0123456789abcdef" for c in compact):
        return bytes.fromhex(compact)
    if not _WORDS.check(cleaned):
        raise ValueError("the words are not a valid fingerprint")
    entropy = _WORDS.to_entropy(cleaned)
    if len(entropy) != FINGERPRINT_BYTES:
        raise ValueError("a fingerprint is 12 words")
    return bytes(entropy)


def canonical(document: Mapping[str, Any]) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def identity_document(keys: FederationKeys, *, name: str, address: str) -> dict[str, Any]:
    """The signed public identity of this installation (what `/federation/identity` serves)."""
    body = {
        "type": IDENTITY_TYPE,
        "version": IDENTITY_VERSION,
        "name": name,
        "address": address,
        **{**keys.public().to_json(), "issued": _now()},
    }
    payload = canonical(body)
    signatures = {kid: _b64(keys.signing_private(kid).sign(payload)) for kid in keys.signing}
    return {"body": body, "signatures": signatures}


def read_identity_document(
    document: Mapping[str, Any],
    *,
    expected_fingerprint: bytes | None = None,
    trusted: PublicKeys | None = None,
) -> tuple[dict[str, Any], PublicKeys]:
    """Check a peer's identity document. Either its active signing key has
    `expected_fingerprint` (adding a peer) or a key of `trusted` signed it (following a
    rotation); every signature present must verify. Returns (body, public keys)."""
    try:
        body = dict(document["body"])
        signatures = {str(k): _unb64(v) for k, v in dict(document["signatures"]).items()}
    except (KeyError, TypeError, ValueError):
        raise IdentityError("the identity document is malformed") from None
    if body.get("type") != IDENTITY_TYPE or body.get("version") != IDENTITY_VERSION:
        raise IdentityError("not a Casework federation identity document")
    keys = PublicKeys.from_json(body)
    payload = canonical(body)
    for kid, signature in signatures.items():
        try:
            keys.signing_key(kid).verify(signature, payload)
        except (KeyNotFound, InvalidSignature):
            raise IdentityError("a signature of the identity document does not verify") from None
    if keys.signing_active not in signatures:
        raise IdentityError("the active signing key did not sign the identity document")
    if expected_fingerprint is not None:
        if not secrets.compare_digest(keys.fingerprint, expected_fingerprint):
            raise IdentityError("the fingerprint does not match the peer's signing key")
    elif trusted is not None:
        if not any(
            kid in trusted.signing
            and secrets.compare_digest(trusted.signing[kid], keys.signing[kid])
            for kid in signatures
        ):
            raise IdentityError("no key we trust signed the new identity document")
    else:
        raise IdentityError("an identity document is checked against a fingerprint or keys")
    return body, keys


def _raw_ed25519() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def _raw_x25519() -> bytes:
    return X25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def _new_id(existing: Mapping[str, object]) -> str:
    while True:
        kid = secrets.token_hex(4)
        if kid not in existing:
            return kid


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(value: object) -> bytes:
    if not isinstance(value, str):
        raise ValueError("not base64 text")
    return base64.b64decode(value, validate=True)
