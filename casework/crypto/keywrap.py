"""Wrapping data keys under a key-encryption key: the `KeyWrapper` interface and a local one.

`LocalKeyWrapper` uses the KEKs of a `Keyring` held in this process (AES-256-GCM). Its
wrapped-key layout::

    0x01 | kid length (1 byte) | kid (ASCII) | nonce (12 bytes) | ciphertext + tag (48 bytes)

and the associated data is everything before the nonce followed by the caller's context, so
neither the key id nor the record the key belongs to can be swapped.

Other key stores plug in behind the same four members, and nothing above them changes:

* AWS KMS: `wrap` calls Encrypt with the data key as plaintext and the context in the
  EncryptionContext (e.g. {"casework": base64(context)}); `unwrap` calls Decrypt with the
  same context. KMS ciphertext blobs are opaque, so the adapter prefixes its own small header
  (format byte, key id) and `key_id_of` reads that without a network call. `active_key_id`
  names the KMS key or alias currently used to wrap; rotation is ReEncrypt (or unwrap + wrap).
* Vault transit: `wrap` posts base64(data key) to transit/encrypt/<name> with the context as
  `associated_data` (AEAD key types; older Vault: a derived key with `context`); the
  "vault:v<N>:..." result carries the key version, which serves as the key id. `unwrap` is
  transit/decrypt; rotation is transit/keys/<name>/rotate then transit/rewrap, and raising
  min_decryption_version retires old versions.

Remote adapters pay a round trip per call: put an `envelope.DataKeyCache` in front of them.
"""

from __future__ import annotations

import os
from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casework.crypto.errors import IntegrityError, KeyNotFound
from casework.crypto.keyring import Keyring

WRAP_VERSION = 1
NONCE_BYTES = 12


@runtime_checkable
class KeyWrapper(Protocol):
    """Wraps and unwraps data keys under a key-encryption key it holds or can call."""

    @property
    def active_key_id(self) -> str:
        """The id of the key that `wrap` uses now."""
        ...

    def wrap(self, data_key: bytes, context: bytes) -> bytes:
        """Encrypt `data_key`, bound to `context`, under the active key."""
        ...

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        """Recover a data key; `IntegrityError` if it fails, `KeyNotFound` if its key is gone."""
        ...

    def key_id_of(self, wrapped: bytes) -> str:
        """The id of the key `wrapped` is under, without decrypting it."""
        ...


class LocalKeyWrapper:
    """A `KeyWrapper` over the KEKs of a local `Keyring` (development, small deployments)."""

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring
        # One cipher object per KEK, built once: wrapping is on every record's path.
        self._ciphers = {kid: AESGCM(keyring.key(kid)) for kid in keyring.key_ids}

    def __repr__(self) -> str:
        return f"LocalKeyWrapper(active_key_id={self.active_key_id!r})"

    @property
    def active_key_id(self) -> str:
        return self._keyring.active_key_id

    def wrap(self, data_key: bytes, context: bytes) -> bytes:
        kid = self.active_key_id
        header = _header(kid)
        nonce = os.urandom(NONCE_BYTES)
        return header + nonce + self._ciphers[kid].encrypt(nonce, data_key, header + context)

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        kid, header_len = _parse_header(wrapped)
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise KeyNotFound(
                f"data key is wrapped under key id {kid!r}, which is not in the keyring"
            )
        nonce = wrapped[header_len : header_len + NONCE_BYTES]
        body = wrapped[header_len + NONCE_BYTES :]
        try:
            return cipher.decrypt(nonce, body, wrapped[:header_len] + context)
        except InvalidTag:
            pass
        raise IntegrityError(
            "wrapped data key failed authentication: tampered, or belongs to another record"
        )

    def key_id_of(self, wrapped: bytes) -> str:
        return _parse_header(wrapped)[0]


def _header(kid: str) -> bytes:
    raw = kid.encode("ascii")
    return bytes((WRAP_VERSION, len(raw))) + raw


def _parse_header(wrapped: bytes) -> tuple[str, int]:
    """(key id, header length) of a wrapped key; `IntegrityError` if it is malformed."""
    if len(wrapped) < 2 or wrapped[0] != WRAP_VERSION:
        raise IntegrityError("wrapped data key is malformed or of an unknown format version")
    header_len = 2 + wrapped[1]
    # 16 bytes is the GCM tag: anything shorter cannot be a wrapped key.
    if wrapped[1] == 0 or len(wrapped) < header_len + NONCE_BYTES + 16:
        raise IntegrityError("wrapped data key is truncated")
    try:
        kid = wrapped[2:header_len].decode("ascii")
    except UnicodeDecodeError:
        kid = ""
    if not kid.isprintable() or not kid:
        raise IntegrityError("wrapped data key has a malformed key id")
    return kid, header_len
