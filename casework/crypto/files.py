"""Encrypted attachments: streamed, chunked AES-256-GCM under a random per-file key.

File layout::

    header:  magic b"CWAF" | format version (1 byte, 0x01) | chunk size (4 bytes, big-endian)
             | nonce prefix (8 random bytes)
    chunks:  ciphertext + tag (16 bytes), chunk_size + 16 bytes each, the last one shorter
             or equal; an empty file is one chunk of 16 bytes.

Chunk i uses nonce = nonce prefix | i (4 bytes, big-endian) and associated data =
length_prefixed(b"casework file v1", aad_prefix) | header | i (4 bytes) | last flag (1 byte).
So reordered or duplicated chunks fail (wrong index), dropping the final chunks fails (the new
final chunk was not sealed as last), appending fails (the real last chunk is no longer last),
and a file moved to another record fails (`aad_prefix`, e.g. the record's context plus the
attachment id). This is the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár.

The same bytes cut where the chunks end are "pieces" (`seal_pieces`, `open_pieces`,
`split_pieces`): the header, then one sealed chunk each. The database attachment store keeps
one piece per row (decision 0073); a file on disk is the pieces written one after another.

Decryption yields each chunk once it authenticates, before the end is seen: on IntegrityError
discard everything produced so far (delete the temporary file, abort the response).

The file key is stored wrapped by the owning record's data key (`wrap_file_key`), so
shredding the record's key makes its files unreadable too. Stored files get random names
(`random_storage_name`) outside static/, and are served only through an authorised view.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casework.crypto._encoding import length_prefixed
from casework.crypto.aead import FieldContext, decrypt_bytes, encrypt_field
from casework.crypto.errors import FileTooLarge, IntegrityError

MAGIC = b"CWAF"
FORMAT_VERSION = 1
HEADER_BYTES = len(MAGIC) + 1 + 4 + 8
TAG_BYTES = 16
DEFAULT_CHUNK = 64 * 1024
MAX_CHUNK = 16 * 1024 * 1024  # the header is attacker-controlled: bound what it can allocate
MAX_CHUNKS = 2**32  # the chunk counter is 4 bytes
KEY_BYTES = 32
_STORAGE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{31}")


def new_file_key() -> bytes:
    """A fresh random key for one file."""
    return os.urandom(KEY_BYTES)


def wrap_file_key(data_key: bytes, file_key: bytes, context: FieldContext) -> bytes:
    """The file key encrypted under the record's data key, bound to the attachment's place."""
    if len(file_key) != KEY_BYTES:
        raise ValueError("a file key must be 32 bytes")
    return encrypt_field(data_key, file_key, context)


def unwrap_file_key(data_key: bytes, wrapped: bytes, context: FieldContext) -> bytes:
    """The file key back; `IntegrityError` under another data key or context."""
    file_key = decrypt_bytes(data_key, wrapped, context)
    if len(file_key) != KEY_BYTES:
        raise IntegrityError("unwrapped file key has the wrong length")
    return file_key


def random_storage_name() -> str:
    """A random file name (192 bits, URL-safe, no extension, never starting with '-')."""
    while True:
        name = secrets.token_urlsafe(24)
        if not name.startswith("-"):  # a leading dash reads as an option to shell tools
            return name


def is_storage_name(name: str) -> bool:
    """Whether `name` looks like `random_storage_name()` (so it is safe to join to a path)."""
    return bool(_STORAGE_NAME.fullmatch(name))


def seal_pieces(
    file_key: bytes,
    src: BinaryIO,
    aad_prefix: bytes,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    max_size: int,
) -> Iterator[bytes]:
    """Encrypt `src` as pieces: the header first, then each sealed chunk (ciphertext and tag),
    one at a time. Written one after another they are the file layout above; stored one per
    row (the database attachment store) they are the same thing, split where the chunks end.

    `FileTooLarge` as soon as the input exceeds `max_size`, before that chunk is yielded (what
    was stored so far is incomplete and must be discarded).
    """
    if len(file_key) != KEY_BYTES:
        raise ValueError("a file key must be 32 bytes")
    if not 1 <= chunk_size <= MAX_CHUNK:
        raise ValueError(f"chunk_size must be between 1 and {MAX_CHUNK}")
    if max_size < 0:
        raise ValueError("max_size must not be negative")
    nonce_prefix = os.urandom(8)
    header = MAGIC + bytes((FORMAT_VERSION,)) + chunk_size.to_bytes(4, "big") + nonce_prefix
    aead = AESGCM(file_key)
    base_aad = length_prefixed(b"casework file v1", aad_prefix) + header
    yield header
    total = 0
    index = 0
    chunk = _read_exact(src, chunk_size)
    while True:
        total += len(chunk)
        if total > max_size:
            raise FileTooLarge(f"file is larger than the limit of {max_size} bytes")
        # A short chunk means the input has ended; a full one needs a look ahead.
        following = _read_exact(src, chunk_size) if len(chunk) == chunk_size else b""
        last = not following
        if index >= MAX_CHUNKS:
            raise FileTooLarge("file has too many chunks for its chunk size")
        nonce, aad = _chunk_params(nonce_prefix, base_aad, index, last)
        yield aead.encrypt(nonce, chunk, aad)
        if last:
            return
        chunk = following
        index += 1


def encrypt_stream(
    file_key: bytes,
    src: BinaryIO,
    dst: BinaryIO,
    aad_prefix: bytes,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    max_size: int,
) -> int:
    """Encrypt `src` into `dst`; returns the plaintext size.

    `FileTooLarge` as soon as the input exceeds `max_size`, before that chunk is written (what
    was written so far is incomplete and must be deleted).
    """
    pieces = seal_pieces(file_key, src, aad_prefix, chunk_size=chunk_size, max_size=max_size)
    dst.write(next(pieces))
    total = 0
    for piece in pieces:
        dst.write(piece)
        total += len(piece) - TAG_BYTES
    return total


def _parse_header(header: bytes) -> int:
    """The chunk size a header announces; `IntegrityError` if it is not one of ours."""
    if len(header) != HEADER_BYTES or header[:4] != MAGIC or header[4] != FORMAT_VERSION:
        raise IntegrityError("not an encrypted attachment, or an unknown format version")
    chunk_size = int.from_bytes(header[5:9], "big")
    if not 1 <= chunk_size <= MAX_CHUNK:
        raise IntegrityError("encrypted attachment has an invalid chunk size")
    return chunk_size


def split_pieces(src: BinaryIO) -> Iterator[bytes]:
    """An encrypted file (the layout above) as the pieces `seal_pieces` made: the header, then
    each sealed chunk. Nothing is decrypted (no key needed); `IntegrityError` if the header is
    not ours. Moving a file into the database store copies these pieces as they are."""
    header = _read_exact(src, HEADER_BYTES)
    block = _parse_header(header) + TAG_BYTES
    yield header
    while True:
        piece = _read_exact(src, block)
        if not piece:
            return
        yield piece
        if len(piece) < block:
            return


def open_pieces(
    file_key: bytes, pieces: Iterable[bytes], aad_prefix: bytes, *, max_size: int | None = None
) -> Iterator[bytes]:
    """Yield the plaintext of `pieces` (the header, then sealed chunks) chunk by chunk, taking
    one piece ahead at most; `IntegrityError` on any tampering (see module doc), on a piece of
    the wrong size and on a missing header or chunk."""
    if len(file_key) != KEY_BYTES:
        raise ValueError("a file key must be 32 bytes")
    source = iter(pieces)
    header = next(source, b"")
    block = _parse_header(header) + TAG_BYTES
    nonce_prefix = header[9:HEADER_BYTES]
    aead = AESGCM(file_key)
    base_aad = length_prefixed(b"casework file v1", aad_prefix) + header
    current = next(source, b"")
    total = 0
    index = 0
    while True:
        following = next(source, b"") if len(current) == block else b""
        last = not following
        if not TAG_BYTES <= len(current) <= block or index >= MAX_CHUNKS:
            raise IntegrityError("encrypted attachment is truncated or malformed")
        nonce, aad = _chunk_params(nonce_prefix, base_aad, index, last)
        try:
            plain = aead.decrypt(nonce, current, aad)
        except InvalidTag:
            plain = None
        if plain is None:
            raise IntegrityError(
                "encrypted attachment failed authentication: wrong key or record, "
                "or chunks truncated, reordered, duplicated or appended"
            )
        total += len(plain)
        if max_size is not None and total > max_size:
            raise FileTooLarge(f"file is larger than the limit of {max_size} bytes")
        yield plain
        if last:
            return
        current = following
        index += 1


def iter_decrypt(
    file_key: bytes, src: BinaryIO, aad_prefix: bytes, *, max_size: int | None = None
) -> Iterator[bytes]:
    """Yield the plaintext chunk by chunk; `IntegrityError` on any tampering (see module doc)."""
    if len(file_key) != KEY_BYTES:
        raise ValueError("a file key must be 32 bytes")
    yield from open_pieces(file_key, split_pieces(src), aad_prefix, max_size=max_size)


def decrypt_stream(
    file_key: bytes,
    src: BinaryIO,
    dst: BinaryIO,
    aad_prefix: bytes,
    *,
    max_size: int | None = None,
) -> int:
    """Decrypt `src` into `dst`; returns the plaintext size. On error, discard `dst`."""
    total = 0
    for plain in iter_decrypt(file_key, src, aad_prefix, max_size=max_size):
        dst.write(plain)
        total += len(plain)
    return total


def _chunk_params(prefix: bytes, base_aad: bytes, index: int, last: bool) -> tuple[bytes, bytes]:
    counter = index.to_bytes(4, "big")
    return prefix + counter, base_aad + counter + (b"\x01" if last else b"\x00")


def _read_exact(src: BinaryIO, size: int) -> bytes:
    """Up to `size` bytes, fewer only at the end: raw streams and sockets may return less."""
    data = src.read(size)
    if len(data) == size or not data:
        return data
    parts = [data]
    remaining = size - len(data)
    while remaining:
        more = src.read(remaining)
        if not more:
            break
        parts.append(more)
        remaining -= len(more)
    return b"".join(parts)
