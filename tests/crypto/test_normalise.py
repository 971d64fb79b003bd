"""Normalisation: what a caseworker may type differently must give one value."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.crypto import (
    normalise_date,
    normalise_identity_number,
    normalise_name,
    normalise_phone,
    normalise_text,
)

NORMALISERS = [normalise_text, normalise_name, normalise_identity_number, normalise_phone]
# Every assigned code point except lone surrogates, which cannot be stored as UTF-8 anyway.
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=("Cs",)))
NAME_PARTS = st.lists(
    st.text(st.characters(categories=("Lu", "Ll", "Lo")), min_size=1, max_size=8),
    min_size=1,
    max_size=4,
)


@pytest.mark.parametrize("normalise", NORMALISERS)
@given(value=ANY_TEXT)
def test_normalisation_is_idempotent(normalise: object, value: str) -> None:
    assert callable(normalise)
    once = normalise(value)
    assert normalise(once) == once


@given(ANY_TEXT)
def test_text_has_no_outer_or_double_spaces(value: str) -> None:
    result = normalise_text(value)
    assert result == result.strip()
    assert "  " not in result


@given(NAME_PARTS)
def test_case_spacing_punctuation_and_width_variants_match(parts: list[str]) -> None:
    expected = normalise_name(" ".join(parts))
    variants = [
        "  ".join(parts),
        "\t" + "\u3000".join(parts) + "\n",
        "-".join(parts),
        ", ".join(parts),
        " ".join(p.upper() for p in parts),
        " ".join(p.lower() for p in parts),
        " ".join(reversed(parts)),
        " ".join([parts[0][:1] + "\u200b" + parts[0][1:], *parts[1:]]),
    ]
    for variant in variants:
        assert normalise_name(variant) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "Nguyen  Thi Lan",
        "nguyen thi lan",
        "NGUYEN THI-LAN",
        "Nguyễn Thị Lan",
        "Nguyê\u0303n Thi\u0323 Lan",  # decomposed accents
        "ＮＧＵＹＥＮ　ＴＨＩ　ＬＡＮ",  # full-width  # noqa: RUF001
        "Lan Nguyen Thi",
        "Thi Lan, Nguyen",
        "Ngu\u200byen\u00ad Thi Lan\ufeff",  # zero-width space, soft hyphen, BOM
        "Nguyen Thi. Lan",
    ],
)
def test_name_examples_match(typed: str) -> None:
    assert normalise_name(typed) == normalise_name("Nguyen Thi Lan") == "lan nguyen thi"


def test_vietnamese_d_with_stroke_folds() -> None:
    assert normalise_name("Đặng Văn Đức") == normalise_name("Dang Van Duc")


def test_order_is_kept_when_asked() -> None:
    assert normalise_name("Nguyen Thi Lan", sort_tokens=False) == "nguyen thi lan"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("สมชาย ใจดี", "สมชาย ใจดี"),
        ("O'Brien", "O Brien"),
        ("Straße", "STRASSE"),
        ("José", "JOSE"),
    ],
)
def test_documented_matches(one: str, other: str) -> None:
    assert normalise_text(one) == normalise_text(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("สมชาย", "Somchai"),  # no transliteration between scripts
        ("ThiLan", "Thi Lan"),  # run-together parts
        ("O'Brien", "OBrien"),
        ("й", "и"),  # Cyrillic marks are letters, not accents
        ("กา", "ก"),
        ("ចាន់", "ចាន"),  # Khmer signs are kept
        ("Nguyen", "Ngyuen"),
    ],
)
def test_documented_non_matches(one: str, other: str) -> None:
    assert normalise_text(one) != normalise_text(other)


def test_thai_tone_marks_are_kept() -> None:
    assert normalise_text("ใจดี") != normalise_text("ใจด")
    assert normalise_text("ไม้") != normalise_text("ไม")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ab 12-34/5", "AB12345"),
        ("ＡＢ１２３", "AB123"),  # noqa: RUF001
        ("๑๒๓๔", "1234"),
        (" n°\u200b 0012 ", "N0012"),
        ("", ""),
    ],
)
def test_identity_numbers(typed: str, expected: str) -> None:
    assert normalise_identity_number(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+66 81-234 5678", "+66812345678"),
        ("(+66) 812 345 678", "+66812345678"),
        ("\u200e+66812345678", "+66812345678"),  # a bidi mark pasted in front
        ("＋６６８１２３４５６７８", "+66812345678"),  # noqa: RUF001
        ("081 234 5678", "0812345678"),
        ("66 + 812", "66812"),
        ("no number", ""),
    ],
)
def test_phone_numbers(typed: str, expected: str) -> None:
    assert normalise_phone(typed) == expected


@given(st.dates())
def test_dates_from_date_or_iso_string(value: dt.date) -> None:
    assert normalise_date(value) == value.isoformat()
    assert normalise_date(f" {value.isoformat()} ") == value.isoformat()


def test_date_inputs() -> None:
    assert normalise_date("２０２０-０１-０２") == "2020-01-02"  # noqa: RUF001
    assert normalise_date("20200102") == "2020-01-02"
    with pytest.raises(ValueError, match="not an ISO 8601 date") as raised:
        normalise_date("12/03/1999")
    assert "1999" not in str(raised.value)
    with pytest.raises(TypeError):
        normalise_date(dt.datetime(2020, 1, 2, tzinfo=dt.UTC))
