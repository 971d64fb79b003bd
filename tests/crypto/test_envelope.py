"""Data keys: wrapping, KEK rotation (rewrap), retirement, caching and crypto-shredding."""

from __future__ import annotations

import io
import uuid

import pytest

from casework.crypto import (
    DataKeyCache,
    FieldContext,
    IntegrityError,
    KeyNotFound,
    Keyring,
    KeyWrapper,
    LocalKeyWrapper,
    ShreddedError,
    data_key_context,
    decrypt_field,
    encrypt_field,
    encrypt_stream,
    generate_keyring,
    iter_decrypt,
    needs_rewrap,
    new_data_key,
    new_file_key,
    rewrap,
    unwrap_data_key,
    unwrap_file_key,
    wrap_data_key,
    wrap_file_key,
)


def record() -> bytes:
    return data_key_context("cases", uuid.uuid4(), uuid.uuid4())


def test_local_wrapper_is_a_key_wrapper(wrapper: LocalKeyWrapper) -> None:
    assert isinstance(wrapper, KeyWrapper)


def test_wrap_round_trip_and_layout(wrapper: LocalKeyWrapper, data_key: bytes) -> None:
    context = record()
    wrapped = wrap_data_key(wrapper, data_key, context)
    kid = wrapper.active_key_id.encode()
    assert wrapped[0] == 1
    assert wrapped[1] == len(kid)
    assert wrapped[2 : 2 + len(kid)] == kid
    assert len(wrapped) == 2 + len(kid) + 12 + 32 + 16
    assert wrapper.key_id_of(wrapped) == wrapper.active_key_id
    assert unwrap_data_key(wrapper, wrapped, context) == data_key
    assert wrap_data_key(wrapper, data_key, context) != wrapped  # fresh nonce


def test_wrapped_key_is_bound_to_its_record(wrapper: LocalKeyWrapper, data_key: bytes) -> None:
    wrapped = wrap_data_key(wrapper, data_key, record())
    with pytest.raises(IntegrityError, match="another record"):
        unwrap_data_key(wrapper, wrapped, record())


def test_context_names_table_row_and_agency() -> None:
    row, agency = uuid.uuid4(), uuid.uuid4()
    base = data_key_context("cases", row, agency)
    assert base != data_key_context("persons", row, agency)
    assert base != data_key_context("cases", uuid.uuid4(), agency)
    assert base != data_key_context("cases", row, uuid.uuid4())


@pytest.mark.parametrize("position", [0, 1, 2, 12, -1])
def test_tampered_wrapped_key_fails(
    wrapper: LocalKeyWrapper, data_key: bytes, position: int
) -> None:
    context = record()
    wrapped = bytearray(wrap_data_key(wrapper, data_key, context))
    wrapped[position] ^= 0x01
    with pytest.raises((IntegrityError, KeyNotFound)):
        unwrap_data_key(wrapper, bytes(wrapped), context)


def test_unknown_key_id_fails_clearly(data_key: bytes) -> None:
    context = record()
    wrapped = wrap_data_key(LocalKeyWrapper(generate_keyring()), data_key, context)
    other = LocalKeyWrapper(generate_keyring())
    with pytest.raises(KeyNotFound, match="not in the keyring") as raised:
        unwrap_data_key(other, wrapped, context)
    assert other.key_id_of(wrapped) in str(raised.value)


@pytest.mark.parametrize("wrapped", [b"", b"\x01", b"\x02\x08abcdefgh" + bytes(60), b"\x01\x00"])
def test_malformed_wrapped_keys_fail(wrapper: LocalKeyWrapper, wrapped: bytes) -> None:
    with pytest.raises((IntegrityError, ShreddedError)):
        unwrap_data_key(wrapper, wrapped, record())


def test_rotation_rewraps_under_the_new_key_and_retires_the_old() -> None:
    old_ring = generate_keyring()
    old = LocalKeyWrapper(old_ring)
    records = [(record(), new_data_key()) for _ in range(20)]
    stored = [(ctx, key, wrap_data_key(old, key, ctx)) for ctx, key in records]

    new_ring = old_ring.with_new_active_key()
    new = LocalKeyWrapper(new_ring)
    # Before the rewrap, the new keyring still reads data keys under the old KEK.
    assert all(unwrap_data_key(new, w, ctx) == key for ctx, key, w in stored)
    assert all(needs_rewrap(new, w) for _, _, w in stored)

    rewrapped = [(ctx, key, rewrap(new, w, ctx)) for ctx, key, w in stored]
    assert all(new.key_id_of(w) == new_ring.active_key_id for _, _, w in rewrapped)
    assert not any(new.key_id_of(w) == old_ring.active_key_id for _, _, w in rewrapped)
    assert all(unwrap_data_key(new, w, ctx) == key for ctx, key, w in rewrapped)

    retired = LocalKeyWrapper(new_ring.without_key(old_ring.active_key_id))
    assert all(unwrap_data_key(retired, w, ctx) == key for ctx, key, w in rewrapped)
    with pytest.raises(KeyNotFound):
        unwrap_data_key(retired, stored[0][2], stored[0][0])


def test_rewrap_is_a_no_op_under_the_active_key(wrapper: LocalKeyWrapper, data_key: bytes) -> None:
    context = record()
    wrapped = wrap_data_key(wrapper, data_key, context)
    assert rewrap(wrapper, wrapped, context) is wrapped
    assert not needs_rewrap(wrapper, wrapped)


def test_rewrap_refuses_a_key_moved_to_another_record(data_key: bytes) -> None:
    ring = generate_keyring()
    wrapped = wrap_data_key(LocalKeyWrapper(ring), data_key, record())
    with pytest.raises(IntegrityError):
        rewrap(LocalKeyWrapper(ring.with_new_active_key()), wrapped, record())


def test_shredding_makes_fields_and_files_unreadable(keyring: Keyring) -> None:
    wrapper = LocalKeyWrapper(keyring)
    case_id, agency_id = uuid.uuid4(), uuid.uuid4()
    context = data_key_context("cases", case_id, agency_id)
    data_key = new_data_key()
    wrapped: bytes | None = wrap_data_key(wrapper, data_key, context)
    field = FieldContext("cases", "narrative", case_id, agency_id)
    ciphertext = encrypt_field(data_key, "what happened", field)
    attachment = FieldContext("attachments", "file_key", uuid.uuid4(), agency_id)
    file_key = new_file_key()
    wrapped_file_key = wrap_file_key(data_key, file_key, attachment)
    stored_file = io.BytesIO()
    encrypt_stream(file_key, io.BytesIO(b"scan"), stored_file, b"a", max_size=100)

    del data_key, file_key
    wrapped = None  # the shred: the only copy of the wrapped data key is deleted
    for gone in (None, b""):
        with pytest.raises(ShreddedError):
            unwrap_data_key(wrapper, gone, context)
    assert wrapped is None
    # No other key opens what the record's key protected.
    for guess in (new_data_key(), keyring.key(keyring.active_key_id), keyring.index_key):
        with pytest.raises(IntegrityError):
            decrypt_field(guess, ciphertext, field)
        with pytest.raises(IntegrityError):
            unwrap_file_key(guess, wrapped_file_key, attachment)
        stored_file.seek(0)
        with pytest.raises(IntegrityError):
            b"".join(iter_decrypt(guess, stored_file, b"a"))


def test_cache_unwraps_once_and_forgets_on_discard(keyring: Keyring) -> None:
    calls = []

    class Counting(LocalKeyWrapper):
        def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
            calls.append(wrapped)
            return super().unwrap(wrapped, context)

    counting = Counting(keyring)
    cache = DataKeyCache(maxsize=2)
    contexts = [record() for _ in range(3)]
    keys = [new_data_key() for _ in contexts]
    wrapped = [wrap_data_key(counting, k, c) for k, c in zip(keys, contexts, strict=True)]
    assert cache.unwrap(counting, wrapped[0], contexts[0]) == keys[0]
    assert cache.unwrap(counting, wrapped[0], contexts[0]) == keys[0]
    assert len(calls) == 1
    with pytest.raises(IntegrityError):  # same wrapped key, other record: not a cache hit
        cache.unwrap(counting, wrapped[0], contexts[1])
    cache.unwrap(counting, wrapped[1], contexts[1])
    cache.unwrap(counting, wrapped[2], contexts[2])
    assert len(cache) == 2  # bounded
    cache.discard(wrapped[2])
    assert len(cache) == 1
    with pytest.raises(ShreddedError):
        cache.unwrap(counting, None, contexts[2])
    cache.clear()
    assert len(cache) == 0
