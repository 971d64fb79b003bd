"""Field encryption: AES-256-GCM under a record's data key, bound to the field's place.

Ciphertext layout (stored as bytes in the column)::

    format version (1 byte, 0x01) | type tag (1 byte) | nonce (12 bytes) | ciphertext + tag (16)

The type tag says whether the plaintext was `str` (0x01, UTF-8) or `bytes` (0x02), so a value
comes back as the type it went in. The nonce is random for every encryption (96 bits, as GCM
wants); at well under 2**32 encryptions per data key (one key per case) the collision risk is
negligible. The associated data is the two header bytes followed by `FieldContext.to_bytes()`,
so a ciphertext copied to another table, column, row or agency, or with its header edited,
fails to decrypt. There is no key id in a field: the data key is found through the record
(see `envelope`), and its wrapped form carries the KEK id.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casework.crypto._encoding import length_prefixed
from casework.crypto.errors import IntegrityError

FORMAT_VERSION = 1
TYPE_STR = 1
TYPE_BYTES = 2
NONCE_BYTES = 12
TAG_BYTES = 16
DATA_KEY_BYTES = 32
_HEADER_STR = bytes((FORMAT_VERSION, TYPE_STR))
_HEADER_BYTES = bytes((FORMAT_VERSION, TYPE_BYTES))
_BODY = 2 + NONCE_BYTES
_CONTEXT_LABEL = b"casework field v1"
_FAILED = (
    "field ciphertext failed authentication: wrong key, tampered, "
    "or moved from another table, column, row or agency"
)


@dataclass(frozen=True, slots=True)
class FieldContext:
    """Where a field value lives; its canonical bytes are the associated data."""

    table: str
    column: str
    row_id: uuid.UUID
    agency_id: uuid.UUID
    _aad: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.table or not self.column:
            raise ValueError("FieldContext needs a table and a column name")
        # Strings for ids would encode differently from UUIDs and silently never match.
        if not isinstance(self.row_id, uuid.UUID) or not isinstance(self.agency_id, uuid.UUID):
            raise TypeError("FieldContext row_id and agency_id must be uuid.UUID")
        aad = length_prefixed(
            _CONTEXT_LABEL,
            self.table.encode("utf-8"),
            self.column.encode("utf-8"),
            self.row_id.bytes,
            self.agency_id.bytes,
        )
        object.__setattr__(self, "_aad", aad)

    def to_bytes(self) -> bytes:
        """Canonical, length-prefixed encoding: ("ab", "c") never equals ("a", "bc")."""
        return self._aad

    @staticmethod
    def row_associated_data(
        table: str, columns: Iterable[str], row_id: uuid.UUID, agency_id: uuid.UUID
    ) -> dict[str, bytes]:
        """`to_bytes()` of several columns of one row, checked once and built by concatenation
        (loading a record decrypts all its fields: this keeps the per-field overhead small).
        Equal to `FieldContext(table, column, row_id, agency_id).to_bytes()` for each column."""
        names = list(columns)
        if not names:
            return {}
        FieldContext(table, names[0], row_id, agency_id)  # validates the shared parts
        if not all(names):
            raise ValueError("FieldContext needs a table and a column name")
        head = length_prefixed(_CONTEXT_LABEL, table.encode("utf-8"))
        tail = length_prefixed(row_id.bytes, agency_id.bytes)
        return {name: head + length_prefixed(name.encode("utf-8")) + tail for name in names}


Key = bytes | AESGCM  # a data key, or an AESGCM object built from one (reused: cheaper)


def _cipher(data_key: Key) -> AESGCM:
    if isinstance(data_key, AESGCM):
        return data_key
    if len(data_key) != DATA_KEY_BYTES:
        raise ValueError("a data key must be 32 bytes")
    return AESGCM(data_key)


def encrypt_field(data_key: Key, plaintext: str | bytes, aad: FieldContext) -> bytes:
    """Encrypt one field value; the same value twice gives different ciphertexts."""
    if isinstance(plaintext, str):
        header, data = _HEADER_STR, plaintext.encode("utf-8")
    elif isinstance(plaintext, bytes):
        header, data = _HEADER_BYTES, plaintext
    else:
        raise TypeError("a field value must be str or bytes")
    cipher = _cipher(data_key)
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + cipher.encrypt(nonce, data, header + aad._aad)


def decrypt_field(data_key: Key, ciphertext: bytes, aad: FieldContext) -> str | bytes:
    """Decrypt a value written by `encrypt_field` for the same place; `IntegrityError` if not."""
    return decrypt_field_at(data_key, ciphertext, aad._aad)


def decrypt_field_at(data_key: Key, ciphertext: bytes, associated: bytes) -> str | bytes:
    """`decrypt_field` given the place's `FieldContext.to_bytes()` (or
    `FieldContext.row_associated_data`) already built."""
    if len(ciphertext) < _BODY + TAG_BYTES:
        raise IntegrityError("field ciphertext is truncated")
    if ciphertext[0] != FORMAT_VERSION or ciphertext[1] not in (TYPE_STR, TYPE_BYTES):
        raise IntegrityError("field ciphertext has an unknown format version or type tag")
    cipher = _cipher(data_key)
    header = ciphertext[:2]
    try:
        data = cipher.decrypt(ciphertext[2:_BODY], ciphertext[_BODY:], header + associated)
    except InvalidTag:
        data = None
    if data is None:  # raised here so the InvalidTag is not chained onto it
        raise IntegrityError(_FAILED)
    if ciphertext[1] == TYPE_BYTES:
        return data
    return data.decode("utf-8")


def decrypt_text(data_key: Key, ciphertext: bytes, aad: FieldContext) -> str:
    """`decrypt_field` for a column that holds text; refuses a bytes value."""
    value = decrypt_field(data_key, ciphertext, aad)
    if not isinstance(value, str):
        raise IntegrityError("field ciphertext holds bytes where text was expected")
    return value


def decrypt_bytes(data_key: Key, ciphertext: bytes, aad: FieldContext) -> bytes:
    """`decrypt_field` for a column that holds bytes; refuses a text value."""
    value = decrypt_field(data_key, ciphertext, aad)
    if not isinstance(value, bytes):
        raise IntegrityError("field ciphertext holds text where bytes were expected")
    return value
