"""The keyring: key-encryption keys (KEKs), the blind-index key and the release signing key.

Key material lives outside the database, in a JSON file (`CASEWORK_KEY_FILE`) or an
environment variable (`CASEWORK_KEYS`, the same JSON or base64 of it); `keyfile` reads and
writes it::

    {
      "version": 1,
      "active": "3fa9c1d2",
      "keys": {
        "3fa9c1d2": {"key": "<base64 of 32 bytes>", "created": "2026-05-09T10:00:00+00:00"},
        "0b7e44aa": {"key": "<base64 of 32 bytes>", "created": "2025-11-02T09:30:00+00:00"}
      },
      "signing_key": "<base64 of the 32-byte raw Ed25519 private key>",
      "index_key": "<base64 of 32 bytes>"
    }

Key ids are 8 random hex digits (any 1-32 of letters, digits, "-" and "_" are accepted).
Exactly one KEK is active and wraps new data keys; the others only unwrap, until a rotation
has rewrapped everything they protect and they can be retired (`without_key`). The index key
is separate from the KEKs so that rotating KEKs never changes a blind index. A `Keyring` is
immutable: rotation and retirement return a new one, to be written with `write_keyring_file`.
Python cannot wipe memory reliably, so keys live as long as the process holds a reference.

While `keys rotate-index` runs, the key file holds a second index key for a while, so that
searches look up both generations and no one is ever unfindable (issue 13): first
`"next_index_key"` (the new key, searched but not yet written with: every running app learns
it before any index is written with it), then `"previous_index_key"` (the old key, searched
until every index is recomputed under the new `index_key`); the finished rotation drops it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from casework.crypto.errors import KeyNotFound, KeyringError
from casework.crypto.identity import FederationKeys

KEYRING_VERSION = 1
KEY_BYTES = 32
# Key ids travel inside every wrapped data key, so they stay short and ASCII.
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass(frozen=True, repr=False)
class KeyEntry:
    """One key-encryption key and when it was made."""

    key: bytes
    created: str

    def __repr__(self) -> str:  # never show key bytes, even in a debugger or a log
        return f"KeyEntry(created={self.created!r})"


def index_key_name(key: bytes) -> str:
    """A name for a blind-index key (it has no id of its own): 16 hex digits of a hash of it.
    One-way: it tells nothing about the key."""
    digest = hashlib.sha256(b"casework index key id|" + key).hexdigest()
    return f"index-{digest[:16]}"


class Keyring:
    """Several KEKs (one active), the blind-index key and the Ed25519 signing key."""

    __slots__ = (
        "_active",
        "_federation",
        "_index_key",
        "_keys",
        "_next_index_key",
        "_previous_index_key",
        "_signing_key",
    )

    def __init__(
        self,
        *,
        active: str,
        keys: Mapping[str, KeyEntry],
        signing_key: bytes,
        index_key: bytes,
        federation: FederationKeys | None = None,
        next_index_key: bytes | None = None,
        previous_index_key: bytes | None = None,
    ) -> None:
        if not keys:
            raise KeyringError("the keyring holds no key-encryption keys")
        for kid, entry in keys.items():
            if not KEY_ID.fullmatch(kid):
                raise KeyringError("a key id is not 1-32 letters, digits, '-' or '_'")
            check_key_length(entry.key, f"key {kid!r}")
            _check_created(entry.created, kid)
        if not KEY_ID.fullmatch(active):
            raise KeyringError("the active key id is not 1-32 letters, digits, '-' or '_'")
        if active not in keys:
            raise KeyringError(f"the active key {active!r} is not among the keys")
        check_key_length(signing_key, "signing_key")
        check_key_length(index_key, "index_key")
        if any(hmac.compare_digest(index_key, e.key) for e in keys.values()):
            raise KeyringError("index_key must differ from every key-encryption key")
        if next_index_key is not None and previous_index_key is not None:
            raise KeyringError("a key file holds next_index_key or previous_index_key, not both")
        for name, extra in (
            ("next_index_key", next_index_key),
            ("previous_index_key", previous_index_key),
        ):
            if extra is None:
                continue
            check_key_length(extra, name)
            if any(hmac.compare_digest(extra, e.key) for e in keys.values()):
                raise KeyringError(f"{name} must differ from every key-encryption key")
            if hmac.compare_digest(extra, index_key):
                raise KeyringError(f"{name} must differ from index_key")
        self._next_index_key = next_index_key
        self._previous_index_key = previous_index_key
        self._active = active
        self._keys = dict(keys)
        self._signing_key = signing_key
        self._index_key = index_key
        self._federation = federation

    def __repr__(self) -> str:
        return f"Keyring(active={self._active!r}, key_ids={self.key_ids!r})"

    @property
    def active_key_id(self) -> str:
        return self._active

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(sorted(self._keys))

    def key(self, kid: str) -> bytes:
        """The KEK with id `kid`; `KeyNotFound` if it is not (or no longer) in the keyring."""
        entry = self._keys.get(kid)
        if entry is None:
            raise KeyNotFound(f"no key-encryption key with id {kid!r} in the keyring")
        return entry.key

    def entry(self, kid: str) -> KeyEntry:
        """The KEK entry with id `kid` (its `created` date, for listings)."""
        self.key(kid)
        return self._keys[kid]

    @property
    def index_key(self) -> bytes:
        """The root key for blind indexes (per-column keys are derived from it)."""
        return self._index_key

    @property
    def index_key_id(self) -> str:
        """A name for the blind-index key (it has no id of its own): 16 hex digits of a hash of
        it, so a backup's manifest can say which index key its search indexes need. One-way:
        it tells nothing about the key."""
        return index_key_name(self._index_key)

    @property
    def search_index_key_ids(self) -> tuple[str, ...]:
        """The names of `search_index_keys`: both generations while a `rotate-index` is
        unfinished, so a backup taken then needs both (its rows are under either)."""
        return tuple(index_key_name(key) for key in self.search_index_keys)

    @property
    def next_index_key(self) -> bytes | None:
        """The new index key of a `rotate-index` that has not switched to it yet."""
        return self._next_index_key

    @property
    def previous_index_key(self) -> bytes | None:
        """The old index key of a `rotate-index` that has not recomputed every index yet."""
        return self._previous_index_key

    @property
    def search_index_keys(self) -> tuple[bytes, ...]:
        """Every index key a search looks up: `index_key` (what new indexes are written
        with) first, then the other generation while a `rotate-index` is unfinished."""
        other = self._next_index_key or self._previous_index_key
        return (self._index_key,) if other is None else (self._index_key, other)

    def _copy(self, **changes: object) -> Keyring:
        fields: dict[str, object] = {
            "active": self._active,
            "keys": self._keys,
            "signing_key": self._signing_key,
            "index_key": self._index_key,
            "federation": self._federation,
            "next_index_key": self._next_index_key,
            "previous_index_key": self._previous_index_key,
        }
        fields.update(changes)
        return Keyring(**fields)  # type: ignore[arg-type]

    def with_next_index_key(self) -> Keyring:
        """Step 1 of `rotate-index`: a fresh index key, searched but not yet written with."""
        if self._next_index_key is not None or self._previous_index_key is not None:
            raise KeyringError("a rotate-index is already under way in this key file")
        return self._copy(next_index_key=secrets.token_bytes(KEY_BYTES))

    def with_next_index_key_in_use(self) -> Keyring:
        """Step 2: new indexes are written with the next key; the old one is still searched."""
        if self._next_index_key is None:
            raise KeyringError("no next_index_key to switch to")
        return self._copy(
            index_key=self._next_index_key,
            next_index_key=None,
            previous_index_key=self._index_key,
        )

    def without_previous_index_key(self) -> Keyring:
        """Step 3, once every index is recomputed: the old index key is no longer searched."""
        return self._copy(previous_index_key=None)

    def signing_private_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self._signing_key)

    def signing_public_key_pem(self) -> str:
        """The release-verification public key, as SubjectPublicKeyInfo PEM text."""
        public = self.signing_private_key().public_key()
        pem = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return pem.decode("ascii")

    @property
    def federation(self) -> FederationKeys | None:
        """The installation's federation identity keys (None until `flask federation init`)."""
        return self._federation

    def with_federation(self, federation: FederationKeys) -> Keyring:
        """A copy holding `federation` (new, or rotated) as the federation identity keys."""
        return self._copy(federation=federation)

    def with_new_active_key(self) -> Keyring:
        """A copy with a fresh active KEK; the previous ones stay, for unwrapping only."""
        kid = _new_key_id(self._keys)
        keys = {**self._keys, kid: KeyEntry(secrets.token_bytes(KEY_BYTES), _now())}
        return self._copy(active=kid, keys=keys)

    def with_new_index_key(self) -> Keyring:
        """A copy with a fresh blind-index key at once (every stored blind index must then be
        recomputed; `keys rotate-index` goes through the three steps above instead)."""
        return self._copy(
            index_key=secrets.token_bytes(KEY_BYTES), next_index_key=None, previous_index_key=None
        )

    def without_key(self, kid: str) -> Keyring:
        """A copy without KEK `kid` (retire it once nothing is wrapped under it)."""
        self.key(kid)
        if kid == self._active:
            raise KeyringError(f"cannot retire the active key {kid!r}; rotate first")
        keys = {k: v for k, v in self._keys.items() if k != kid}
        return self._copy(keys=keys)

    def to_json(self) -> str:
        """The key-file JSON (contains every secret: write it only with `write_keyring_file`)."""
        document: dict[str, object] = {
            "version": KEYRING_VERSION,
            "active": self._active,
            "keys": {
                kid: {"key": _b64(entry.key), "created": entry.created}
                for kid, entry in sorted(self._keys.items())
            },
            "signing_key": _b64(self._signing_key),
            "index_key": _b64(self._index_key),
        }
        if self._next_index_key is not None:
            document["next_index_key"] = _b64(self._next_index_key)
        if self._previous_index_key is not None:
            document["previous_index_key"] = _b64(self._previous_index_key)
        if self._federation is not None:
            document["federation"] = self._federation.to_json()
        return json.dumps(document, indent=2) + "\n"


def generate_keyring() -> Keyring:
    """A new keyring with one active KEK, a signing key and an index key."""
    signing = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    kid = _new_key_id({})
    return Keyring(
        active=kid,
        keys={kid: KeyEntry(secrets.token_bytes(KEY_BYTES), _now())},
        signing_key=signing,
        index_key=secrets.token_bytes(KEY_BYTES),
    )


def check_key_length(raw: bytes, name: str) -> None:
    if len(raw) != KEY_BYTES:
        raise KeyringError(f"{name} must be {KEY_BYTES} bytes, not {len(raw)}")


def _check_created(created: str, kid: str) -> None:
    try:
        datetime.fromisoformat(created)
    except (TypeError, ValueError):
        raise KeyringError(f"'created' of key {kid!r} is not an ISO 8601 date-time") from None


def _new_key_id(existing: Mapping[str, object]) -> str:
    while True:
        kid = secrets.token_hex(4)
        if kid not in existing:
            return kid


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
