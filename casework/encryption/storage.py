"""Encrypted files on disk: a random key per file, wrapped by the owning record's data key.

A file is stored under a random name in `ATTACHMENT_DIR` (outside `static/`, never served
directly), as chunked AES-GCM whose associated data names the file's row and owning agency,
so a file copied onto another record's row fails to decrypt. Reading goes through the
authorised view of the record that owns the file; this module never checks permissions.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app

from casework.crypto import (
    FieldContext,
    FileTooLarge,
    encrypt_stream,
    is_storage_name,
    iter_decrypt,
    new_file_key,
    random_storage_name,
    unwrap_file_key,
    wrap_file_key,
)
from casework.encryption.fields import EncryptedRecord, data_key_of

FILE_COLUMN = "file"


@dataclass(frozen=True)
class StoredFile:
    storage_name: str
    wrapped_key: bytes
    size: int


def storage_dir() -> Path:
    path = Path(current_app.config["ATTACHMENT_DIR"])
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def max_file_bytes() -> int:
    return int(current_app.config["MAX_ATTACHMENT_BYTES"])


def _context(record: Any) -> FieldContext:
    return FieldContext(
        table=type(record).__tablename__,
        column=FILE_COLUMN,
        row_id=record.id,
        agency_id=record.encryption_agency_id(),
    )


def _path(storage_name: str) -> Path:
    if not is_storage_name(storage_name):
        raise ValueError("not a storage name")
    return storage_dir() / storage_name


def store_file(record: EncryptedRecord, source: BinaryIO) -> StoredFile:
    """Encrypt `source` for `record` (an attachment row) and write it under a random name.

    Raises `FileTooLarge` past the size limit, leaving nothing on disk.
    """
    context = _context(record)
    file_key = new_file_key()
    wrapped = wrap_file_key(data_key_of(record), file_key, context)
    name = random_storage_name()
    path = storage_dir() / name
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as target:
            size = encrypt_stream(
                file_key, source, target, context.to_bytes(), max_size=max_file_bytes()
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StoredFile(storage_name=name, wrapped_key=wrapped, size=size)


def read_file(record: EncryptedRecord, storage_name: str, wrapped_key: bytes) -> Iterator[bytes]:
    """The plaintext of a stored file, chunk by chunk (`IntegrityError` on any tampering,
    `ShreddedError` once the record's data key is destroyed)."""
    context = _context(record)
    file_key = unwrap_file_key(data_key_of(record), wrapped_key, context)
    with _path(storage_name).open("rb") as source:
        yield from iter_decrypt(file_key, source, context.to_bytes())


def delete_file(storage_name: str) -> None:
    """Remove a stored file (its key dies with the record's data key anyway)."""
    _path(storage_name).unlink(missing_ok=True)


__all__ = ["FileTooLarge", "StoredFile", "delete_file", "read_file", "store_file"]
