"""Encrypted files: a random key per file, wrapped by the owning record's data key.

A file is chunked AES-GCM whose associated data names the file's row and owning agency, so
a file (or one of its chunks) copied onto another record's row fails to decrypt, and each
chunk's index and a last-chunk flag, so chunks reordered or cut off fail too
(`casework.crypto.files`). `seal_file` makes the pieces (the header, then one sealed chunk
each) that an attachment store keeps as opaque bytes, and `open_file` reads them back; the
store never sees a key (decision 0073).

Files stored on disk before attachments moved into the database are read with `read_file`
(random names in `ATTACHMENT_DIR`, outside `static/`), until `flask attachments migrate` has
moved them in; `store_file` still writes that layout (tests of the migration use it).
Reading goes through the authorised view of the record that owns the file; this module never
checks permissions.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
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
    open_pieces,
    random_storage_name,
    seal_pieces,
    split_pieces,
    unwrap_file_key,
    wrap_file_key,
)
from casework.encryption.fields import EncryptedRecord, data_key_of

FILE_COLUMN = "file"
# Chunks of a file stored in the database: one row each, so a download holds about two.
DATABASE_CHUNK = 256 * 1024


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


@dataclass(frozen=True)
class SealedFile:
    wrapped_key: bytes
    pieces: Iterator[bytes]  # the header, then each sealed chunk, made as they are taken


def seal_file(
    record: EncryptedRecord, source: BinaryIO, *, chunk_size: int = DATABASE_CHUNK
) -> SealedFile:
    """A new file key for `record` (an attachment row), wrapped by its data key, and the
    pieces of `source` encrypted under it (`FileTooLarge` past the size limit, while they are
    taken)."""
    context = _context(record)
    file_key = new_file_key()
    wrapped = wrap_file_key(data_key_of(record), file_key, context)
    pieces = seal_pieces(
        file_key, source, context.to_bytes(), chunk_size=chunk_size, max_size=max_file_bytes()
    )
    return SealedFile(wrapped_key=wrapped, pieces=pieces)


def open_file(
    record: EncryptedRecord, wrapped_key: bytes, pieces: Iterable[bytes]
) -> Iterator[bytes]:
    """The plaintext of a sealed file, chunk by chunk, taking one piece ahead at most
    (`IntegrityError` on any tampering or missing piece, `ShreddedError` once the record's
    data key is destroyed)."""
    context = _context(record)
    file_key = unwrap_file_key(data_key_of(record), wrapped_key, context)
    yield from open_pieces(file_key, pieces, context.to_bytes())


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


def file_pieces(storage_name: str) -> Iterator[bytes]:
    """The pieces of a file stored on disk, as `seal_file` would have made them, read one at a
    time and never decrypted (`FileNotFoundError` if it is gone, `IntegrityError` if it does not
    start like one of ours). What `flask attachments migrate` copies into the database."""
    with _path(storage_name).open("rb") as source:
        yield from split_pieces(source)


def delete_file(storage_name: str) -> None:
    """Remove a stored file (its key dies with the record's data key anyway)."""
    _path(storage_name).unlink(missing_ok=True)


__all__ = [
    "FileTooLarge",
    "SealedFile",
    "StoredFile",
    "delete_file",
    "file_pieces",
    "open_file",
    "read_file",
    "seal_file",
    "store_file",
]
