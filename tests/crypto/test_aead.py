"""Field encryption: round trips, fresh nonces, and ciphertexts that refuse to move."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.crypto import (
    FieldContext,
    IntegrityError,
    decrypt_bytes,
    decrypt_field,
    decrypt_text,
    encrypt_field,
    new_data_key,
)

KEY = new_data_key()
PLACE = FieldContext("persons", "family_name", uuid.uuid4(), uuid.uuid4())


@given(st.text())
def test_any_text_round_trips(value: str) -> None:
    ciphertext = encrypt_field(KEY, value, PLACE)
    assert decrypt_field(KEY, ciphertext, PLACE) == value
    assert decrypt_text(KEY, ciphertext, PLACE) == value


@given(st.binary())
def test_any_bytes_round_trip(value: bytes) -> None:
    ciphertext = encrypt_field(KEY, value, PLACE)
    result = decrypt_field(KEY, ciphertext, PLACE)
    assert result == value
    assert isinstance(result, bytes)


def test_layout_is_version_type_nonce_ciphertext_tag(
    data_key: bytes, context: FieldContext
) -> None:
    ciphertext = encrypt_field(data_key, "Lan", context)
    assert ciphertext[0] == 1
    assert ciphertext[1] == 1  # text
    assert len(ciphertext) == 2 + 12 + len(b"Lan") + 16
    assert encrypt_field(data_key, b"Lan", context)[1] == 2  # bytes


def test_text_and_bytes_keep_their_type(data_key: bytes, context: FieldContext) -> None:
    as_text = encrypt_field(data_key, "1990", context)
    as_bytes = encrypt_field(data_key, b"1990", context)
    assert decrypt_field(data_key, as_text, context) == "1990"
    assert decrypt_field(data_key, as_bytes, context) == b"1990"
    with pytest.raises(IntegrityError):
        decrypt_text(data_key, as_bytes, context)
    with pytest.raises(IntegrityError):
        decrypt_bytes(data_key, as_text, context)


@given(st.text(max_size=40))
def test_same_value_twice_gives_different_ciphertexts(value: str) -> None:
    first = encrypt_field(KEY, value, PLACE)
    second = encrypt_field(KEY, value, PLACE)
    assert first != second
    assert first[2:14] != second[2:14]  # a fresh nonce each time


@pytest.mark.parametrize(
    "change",
    [
        {"table": "cases"},
        {"column": "given_name"},
        {"row_id": uuid.uuid4()},
        {"agency_id": uuid.uuid4()},
    ],
    ids=["table", "column", "row", "agency"],
)
def test_transplanted_ciphertext_fails(
    data_key: bytes, context: FieldContext, change: dict[str, object]
) -> None:
    ciphertext = encrypt_field(data_key, "Nguyen Thi Lan", context)
    elsewhere = dataclasses.replace(context, **change)  # type: ignore[arg-type]
    with pytest.raises(IntegrityError) as raised:
        decrypt_field(data_key, ciphertext, elsewhere)
    assert "Nguyen" not in str(raised.value)


def test_context_encoding_is_unambiguous() -> None:
    row, agency = uuid.uuid4(), uuid.uuid4()
    one = FieldContext("ab", "c", row, agency)
    other = FieldContext("a", "bc", row, agency)
    assert one.to_bytes() != other.to_bytes()
    ciphertext = encrypt_field(KEY, "x", one)
    with pytest.raises(IntegrityError):
        decrypt_field(KEY, ciphertext, other)


def test_context_needs_uuids_and_names() -> None:
    with pytest.raises(TypeError):
        FieldContext("persons", "name", str(uuid.uuid4()), uuid.uuid4())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="table and a column"):
        FieldContext("", "name", uuid.uuid4(), uuid.uuid4())


@given(st.data())
def test_any_flipped_bit_fails(data: st.DataObject) -> None:
    ciphertext = bytearray(encrypt_field(KEY, "Somchai Jaidee", PLACE))
    bit = data.draw(st.integers(0, len(ciphertext) * 8 - 1))
    ciphertext[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(IntegrityError):
        decrypt_field(KEY, bytes(ciphertext), PLACE)


def test_wrong_key_fails(context: FieldContext) -> None:
    ciphertext = encrypt_field(new_data_key(), "secret", context)
    with pytest.raises(IntegrityError, match="failed authentication"):
        decrypt_field(new_data_key(), ciphertext, context)


@pytest.mark.parametrize("length", [0, 1, 2, 14, 29])
def test_truncated_ciphertext_fails(data_key: bytes, context: FieldContext, length: int) -> None:
    ciphertext = encrypt_field(data_key, "", context)
    with pytest.raises(IntegrityError):
        decrypt_field(data_key, ciphertext[:length], context)


def test_bad_inputs_are_refused(data_key: bytes, context: FieldContext) -> None:
    with pytest.raises(TypeError):
        encrypt_field(data_key, 42, context)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="32 bytes"):
        encrypt_field(data_key[:16], "x", context)
