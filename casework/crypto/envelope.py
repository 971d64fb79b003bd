"""Envelope encryption: one data key per record (a case), stored wrapped by a KEK.

Fields and attachment keys of a record are encrypted under its data key; the data key is kept
in the record's row only in wrapped form (`wrap_data_key`), bound to the record by
`data_key_context`. Rotating a KEK rewraps data keys (`rewrap`), never the fields.

Crypto-shredding: deleting a record's wrapped data key makes every field and file under it
unreadable (`unwrap_data_key` then raises `ShreddedError`). Backups and replicas still hold
the old wrapped key, readable while the KEK that wrapped it exists; shredding is complete
once those copies age out, or once that KEK has been rotated away and retired.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import OrderedDict

from casework.crypto._encoding import length_prefixed
from casework.crypto.errors import IntegrityError, ShreddedError
from casework.crypto.keywrap import KeyWrapper

DATA_KEY_BYTES = 32
_CONTEXT_LABEL = b"casework data key v1"


def new_data_key() -> bytes:
    """32 random bytes from the operating system's CSPRNG."""
    return os.urandom(DATA_KEY_BYTES)


def data_key_context(table: str, row_id: uuid.UUID, agency_id: uuid.UUID) -> bytes:
    """The context a record's data key is wrapped under (its table, id and owning agency)."""
    if not isinstance(row_id, uuid.UUID) or not isinstance(agency_id, uuid.UUID):
        raise TypeError("row_id and agency_id must be uuid.UUID")
    return length_prefixed(_CONTEXT_LABEL, table.encode("utf-8"), row_id.bytes, agency_id.bytes)


def wrap_data_key(wrapper: KeyWrapper, data_key: bytes, record_context: bytes) -> bytes:
    """Wrap `data_key` under the active KEK, bound to `record_context`."""
    if len(data_key) != DATA_KEY_BYTES:
        raise ValueError("a data key must be 32 bytes")
    return wrapper.wrap(data_key, record_context)


def unwrap_data_key(wrapper: KeyWrapper, wrapped: bytes | None, record_context: bytes) -> bytes:
    """The record's data key. `ShreddedError` if its wrapped key has been deleted (None/empty)."""
    if not wrapped:
        raise ShreddedError("this record's data key has been destroyed; its data is gone")
    data_key = wrapper.unwrap(wrapped, record_context)
    if len(data_key) != DATA_KEY_BYTES:
        raise IntegrityError("unwrapped data key has the wrong length")
    return data_key


def needs_rewrap(wrapper: KeyWrapper, wrapped: bytes) -> bool:
    """Whether `wrapped` is under a KEK other than the active one."""
    return wrapper.key_id_of(wrapped) != wrapper.active_key_id


def rewrap(wrapper: KeyWrapper, wrapped: bytes, context: bytes) -> bytes:
    """`wrapped` moved under the active KEK (KEK rotation).

    Returns `wrapped` itself when it is already under the active key, so a rotation job can
    skip the UPDATE with `if new is not wrapped`; it is not decrypted in that case.
    """
    if not needs_rewrap(wrapper, wrapped):
        return wrapped
    return wrap_data_key(wrapper, unwrap_data_key(wrapper, wrapped, context), context)


class DataKeyCache:
    """A small, bounded, thread-safe LRU of unwrapped data keys.

    Worth it in front of a remote KMS (a network round trip per unwrap). Entries are keyed by
    (wrapped key, context), so a transplanted wrapped key never hits another record's entry.
    Call `discard` when shredding a record and `clear` when the keyring changes, so a
    destroyed key does not linger in memory.
    """

    def __init__(self, maxsize: int = 256) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self._maxsize = maxsize
        self._entries: OrderedDict[tuple[bytes, bytes], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def unwrap(self, wrapper: KeyWrapper, wrapped: bytes | None, record_context: bytes) -> bytes:
        """`unwrap_data_key`, remembering the result."""
        if not wrapped:
            raise ShreddedError("this record's data key has been destroyed; its data is gone")
        entry = (bytes(wrapped), record_context)
        with self._lock:
            cached = self._entries.get(entry)
            if cached is not None:
                self._entries.move_to_end(entry)
                return cached
        data_key = unwrap_data_key(wrapper, wrapped, record_context)
        with self._lock:
            self._entries[entry] = data_key
            self._entries.move_to_end(entry)
            while len(self._entries) > self._maxsize:
                self._entries.popitem(last=False)
        return data_key

    def discard(self, wrapped: bytes) -> None:
        """Forget every entry for `wrapped` (the record is being shredded)."""
        with self._lock:
            for entry in [e for e in self._entries if e[0] == wrapped]:
                del self._entries[entry]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
