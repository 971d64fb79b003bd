"""Encrypted attachments: chunked streams that detect truncation, reordering and appending."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.crypto import (
    FieldContext,
    FileTooLarge,
    IntegrityError,
    decrypt_stream,
    encrypt_stream,
    is_storage_name,
    iter_decrypt,
    new_data_key,
    new_file_key,
    random_storage_name,
    unwrap_file_key,
    wrap_file_key,
)
from casework.crypto.files import HEADER_BYTES, TAG_BYTES

KEY = new_file_key()
AAD = b"attachments|" + uuid.uuid4().bytes
CHUNK = 64 * 1024
SMALL = 16  # a small chunk size keeps the multi-chunk cases cheap


def encrypt(data: bytes, chunk_size: int = CHUNK, max_size: int = 10**8) -> bytes:
    out = io.BytesIO()
    size = encrypt_stream(KEY, io.BytesIO(data), out, AAD, chunk_size=chunk_size, max_size=max_size)
    assert size == len(data)
    return out.getvalue()


def decrypt(blob: bytes, aad: bytes = AAD, key: bytes = KEY) -> bytes:
    out = io.BytesIO()
    assert decrypt_stream(key, io.BytesIO(blob), out, aad) == len(out.getvalue())
    return out.getvalue()


def split(blob: bytes, chunk_size: int) -> tuple[bytes, list[bytes]]:
    body = blob[HEADER_BYTES:]
    step = chunk_size + TAG_BYTES
    return blob[:HEADER_BYTES], [body[i : i + step] for i in range(0, len(body), step)]


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 7])
def test_round_trip_at_chunk_boundaries(size: int) -> None:
    data = os.urandom(size)
    blob = encrypt(data)
    chunks = max(1, -(-size // CHUNK))
    assert len(blob) == HEADER_BYTES + size + chunks * TAG_BYTES
    assert decrypt(blob) == data


@settings(max_examples=200)
@given(st.binary(max_size=10 * SMALL), st.integers(1, 2 * SMALL))
def test_round_trip_any_size_and_chunk_size(data: bytes, chunk_size: int) -> None:
    assert decrypt(encrypt(data, chunk_size)) == data


def test_same_file_twice_encrypts_differently() -> None:
    assert encrypt(b"scan") != encrypt(b"scan")


def test_iter_decrypt_yields_chunks() -> None:
    data = os.urandom(3 * SMALL + 1)
    parts = list(iter_decrypt(KEY, io.BytesIO(encrypt(data, SMALL)), AAD))
    assert [len(p) for p in parts] == [SMALL, SMALL, SMALL, 1]
    assert b"".join(parts) == data


def tampered_variants(blob: bytes) -> Iterator[tuple[str, bytes]]:
    header, chunks = split(blob, SMALL)
    assert len(chunks) == 4
    yield "drop last chunk", header + b"".join(chunks[:-1])
    yield "drop last two", header + b"".join(chunks[:-2])
    yield "header only", header
    yield "swap two", header + chunks[1] + chunks[0] + chunks[2] + chunks[3]
    yield "duplicate", header + chunks[0] + chunks[0] + chunks[1] + chunks[2] + chunks[3]
    yield "repeat last", header + b"".join(chunks) + chunks[-1]
    yield "append chunk", header + b"".join(chunks) + chunks[0]
    yield "append bytes", blob + b"\x00"
    yield "cut mid-chunk", blob[:-5]
    yield "flip a bit", blob[:-3] + bytes([blob[-3] ^ 1]) + blob[-2:]
    yield "edit chunk size", header[:5] + (SMALL + 1).to_bytes(4, "big") + header[9:]
    yield "edit nonce prefix", header[:-1] + bytes([header[-1] ^ 1]) + b"".join(chunks)
    yield "bad magic", b"XXXX" + blob[4:]
    yield "empty", b""


@pytest.mark.parametrize("case", [name for name, _ in tampered_variants(encrypt(bytes(50), SMALL))])
def test_tampering_is_detected(case: str) -> None:
    variants = dict(tampered_variants(encrypt(os.urandom(3 * SMALL + 2), SMALL)))
    with pytest.raises(IntegrityError):
        decrypt(variants[case])


def test_chunks_from_another_file_of_the_same_key_are_refused() -> None:
    one_header, one = split(encrypt(bytes(3 * SMALL + 2), SMALL), SMALL)
    _, other = split(encrypt(bytes(3 * SMALL + 2), SMALL), SMALL)
    with pytest.raises(IntegrityError):
        decrypt(one_header + one[0] + other[1] + one[2] + one[3])


def test_wrong_key_or_place_is_refused() -> None:
    blob = encrypt(b"passport scan")
    with pytest.raises(IntegrityError):
        decrypt(blob, aad=AAD + b"x")
    with pytest.raises(IntegrityError):
        decrypt(blob, key=new_file_key())


def test_empty_file_is_one_authenticated_chunk() -> None:
    blob = encrypt(b"")
    assert len(blob) == HEADER_BYTES + TAG_BYTES
    assert decrypt(blob) == b""
    with pytest.raises(IntegrityError):
        decrypt(blob[:HEADER_BYTES])


@pytest.mark.parametrize("size", [SMALL * 4 + 1, SMALL * 4 + SMALL])
def test_too_large_is_refused_before_writing_past_the_limit(size: int) -> None:
    limit = SMALL * 4
    out = io.BytesIO()
    with pytest.raises(FileTooLarge):
        encrypt_stream(KEY, io.BytesIO(bytes(size)), out, AAD, chunk_size=SMALL, max_size=limit)
    assert len(out.getvalue()) <= HEADER_BYTES + limit + 4 * TAG_BYTES


def test_exactly_max_size_is_accepted() -> None:
    assert decrypt(encrypt(bytes(100), SMALL, max_size=100)) == bytes(100)


def test_decrypt_limit() -> None:
    blob = encrypt(bytes(100), SMALL)
    with pytest.raises(FileTooLarge):
        decrypt_stream(KEY, io.BytesIO(blob), io.BytesIO(), AAD, max_size=99)


class Trickle(io.RawIOBase):
    """A stream that returns at most 5 bytes a read, like a slow socket."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(min(size, 5) if size >= 0 else 5)


def test_short_reads_are_handled() -> None:
    data = os.urandom(5 * SMALL + 3)
    out = io.BytesIO()
    encrypt_stream(KEY, Trickle(data), out, AAD, chunk_size=SMALL, max_size=10**6)  # type: ignore[arg-type]
    plain = io.BytesIO()
    decrypt_stream(KEY, Trickle(out.getvalue()), plain, AAD)  # type: ignore[arg-type]
    assert plain.getvalue() == data


def test_file_key_is_wrapped_by_the_record_key() -> None:
    data_key, file_key = new_data_key(), new_file_key()
    place = FieldContext("attachments", "file_key", uuid.uuid4(), uuid.uuid4())
    wrapped = wrap_file_key(data_key, file_key, place)
    assert unwrap_file_key(data_key, wrapped, place) == file_key
    with pytest.raises(IntegrityError):
        unwrap_file_key(new_data_key(), wrapped, place)
    moved = FieldContext("attachments", "file_key", uuid.uuid4(), place.agency_id)
    with pytest.raises(IntegrityError):
        unwrap_file_key(data_key, wrapped, moved)


def test_storage_names_are_random_and_plain() -> None:
    names = {random_storage_name() for _ in range(500)}
    assert len(names) == 500
    for name in names:
        assert len(name) == 32
        assert is_storage_name(name)
        assert "." not in name
        assert "/" not in name
        assert not name.startswith("-")
    for bad in ("../etc/passwd", "a" * 31, "a" * 33, "-" + "a" * 31, "a" * 31 + "."):
        assert not is_storage_name(bad)


def test_bad_parameters_are_refused() -> None:
    for kwargs in ({"chunk_size": 0}, {"chunk_size": 2**25}, {"max_size": -1}):
        params = {"chunk_size": SMALL, "max_size": 10, **kwargs}
        with pytest.raises(ValueError, match=r"chunk_size|max_size"):
            encrypt_stream(KEY, io.BytesIO(b""), io.BytesIO(), AAD, **params)
    with pytest.raises(ValueError, match="32 bytes"):
        encrypt_stream(b"short", io.BytesIO(b""), io.BytesIO(), AAD, max_size=1)
