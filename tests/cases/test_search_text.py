"""Search terms read as people remember them (casework/core/search_text.py) and the matching
of names in memory (casework/cases/name_search.py: match)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from casework.cases.name_search import TokenCache, match
from casework.core.search_text import (
    day_example,
    name_parts,
    name_tokens,
    parse_day,
    phone_variants,
    to_latin,
)
from casework.crypto import normalise_phone

KYAW_UNICODE = "ကျော်ဇင်ဦး"
KYAW_ZAWGYI = "ေက်ာ္ဇင္ဦး"  # the same name typed with a Zawgyi keyboard


@pytest.mark.parametrize(
    ("typed", "latin"),
    [
        ("Nguyễn Thị Hòa", "nguyen thi hoa"),
        ("NGUYEN thi HOA", "nguyen thi hoa"),
        ("Đặng Văn Lâm", "dang van lam"),
        ("สมหญิง ใจดี", "sm hying cidi"),  # Thai (ICU's Thai-Latin cuts words, drops accents)
        ("សុខ ដារ៉ា", "sokh dara"),  # Khmer (no ICU transform: anyascii)
        ("ສົມພອນ", "somphn"),  # Lao (anyascii)
        (KYAW_UNICODE, "kyawjainu"),  # Burmese Unicode (ICU's Myanmar-Latin)
        (KYAW_ZAWGYI, "kyawjainu"),  # Burmese Zawgyi: converted first, then the same
        ("\uff2b\uff59\uff41\uff57", "kyaw"),  # full width
    ],
)
def test_to_latin_across_the_regions_scripts(typed: str, latin: str) -> None:
    assert to_latin(typed) == latin


def test_scripts_without_spaces_are_cut_into_dictionary_words() -> None:
    assert name_parts(KYAW_UNICODE) == [("kyawjainu", ("kyaw", "jain", "u"))]
    assert name_parts(KYAW_ZAWGYI) == name_parts(KYAW_UNICODE)
    assert name_parts("สมหญิงใจดี") == [("smhyingcidi", ("sm", "hying", "cidi"))]
    assert name_parts("សុខដារ៉ា") == [("sokhdara", ("sokh", "dara"))]
    assert name_parts("Thi-Lan") == [("thilan", ("thi", "lan"))]
    assert name_tokens("Nguyễn Thị Hòa", None, "Hoa Nguyen") == {"nguyen", "thi", "hoa"}


def _matches(names: dict[str, str], typed: str) -> set[str]:
    ids = {name: uuid.uuid4() for name in names}
    by_id = {ids[name]: name for name in names}
    tokens = {ids[name]: name_tokens(full, None) for name, full in names.items()}
    return {by_id[found] for found in match(tokens, name_parts(typed))}


PEOPLE = {
    "hoa": "Nguyễn Thị Hòa",
    "lan": "Trần Thị Lan",
    "kyaw": KYAW_UNICODE,
    "kyaw_latin": "Kyaw Zin Oo",
    "somying": "สมหญิง ใจดี",
    "somying_latin": "Somying Jaidee",
    "dara": "សុខ ដារ៉ា",
}


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Hoa", {"hoa"}),  # a first name
        ("hòa nguyễn", {"hoa"}),  # parts in any order
        ("Ngyuen", {"hoa"}),  # a typo
        ("thi", {"hoa", "lan"}),  # a middle name
        ("Tran Lan", {"lan"}),
        ("kyaw", {"kyaw", "kyaw_latin"}),  # Latin finds Burmese and Latin
        (KYAW_ZAWGYI, {"kyaw"}),  # Zawgyi finds Unicode
        ("ကျော်", {"kyaw", "kyaw_latin"}),  # and Burmese finds Latin
        ("สมหญิง", {"somying", "somying_latin"}),  # a Thai given name, in either script
        ("Somying", {"somying", "somying_latin"}),  # its passport spelling finds the Thai
        ("สมหญิงใจดี", {"somying"}),  # typed without the space
        ("dara", {"dara"}),  # Latin finds Khmer
        ("Nobody", set()),
        ("Hoa Kyaw", set()),  # every part must match
    ],
)
def test_names_match_as_remembered(typed: str, found: set[str]) -> None:
    assert _matches(PEOPLE, typed) == found


def test_a_single_letter_matches_whole_tokens_only() -> None:
    assert _matches({"u": KYAW_UNICODE, "hoa": "Hoa"}, "h") == set()


def test_token_cache_is_keyed_by_what_was_decrypted() -> None:
    cache = TokenCache(size=2)
    person = uuid.uuid4()
    key = (uuid.uuid4(), b"ciphertext", None)
    cache.put(person, key, frozenset({"hoa"}))
    assert cache.get(person, key) == {"hoa"}
    assert cache.get(person, (key[0], b"another ciphertext", None)) is None  # name changed
    assert cache.get(person, (uuid.uuid4(), b"ciphertext", None)) is None  # another key
    for _ in range(2):
        cache.put(uuid.uuid4(), key, frozenset())
    assert len(cache) == 2
    assert cache.get(person, key) is None  # the oldest went first


@pytest.mark.parametrize(
    ("typed", "region", "e164"),
    [
        ("0812345678", "TH", "+66812345678"),
        ("081-234-5678", "TH", "+66812345678"),
        ("+66 81 234 5678", "KH", "+66812345678"),
        ("๐๘๑๒๓๔๕๖๗๘", "TH", "+66812345678"),  # Thai digits
        ("012 345 678", "KH", "+85512345678"),
        ("0912345678", "VN", "+84912345678"),
        ("09 123 4567", "MM", "+9591234567"),
    ],
)
def test_phone_numbers_typed_the_local_way(typed: str, region: str, e164: str) -> None:
    variants = phone_variants(typed, region)
    assert e164 in variants
    assert normalise_phone(typed) in {normalise_phone(v) for v in variants}


def test_short_numbers_are_not_phone_numbers() -> None:
    assert phone_variants("12345", "TH") == []
    assert phone_variants("Hoa", "TH") == []


@pytest.mark.parametrize(
    ("typed", "language", "country", "day"),
    [
        ("2001-02-03", None, None, date(2001, 2, 3)),
        ("03/02/2001", "th", "TH", date(2001, 2, 3)),
        ("03/02/2544", "th", "TH", date(2001, 2, 3)),  # Buddhist era
        ("3/2/2001", "vi", "VN", date(2001, 2, 3)),
        ("03-02-2001", "km", "KH", date(2001, 2, 3)),
        ("03.02.2001", "my", "MM", date(2001, 2, 3)),
        ("31/12/2001", "en", "TH", date(2001, 12, 31)),  # English in Thailand: day first
        ("12/31/2001", "en", "PH", date(2001, 12, 31)),  # the Philippines: month first
        ("๐๓/๐๒/๒๐๐๑", "th", "TH", date(2001, 2, 3)),
    ],
)
def test_dates_in_the_readers_format(typed, language, country, day) -> None:
    assert parse_day(typed, language, country) == day


@pytest.mark.parametrize("typed", ["Hoa", "31/02/2001", "3/2/01", "2001/02/03", "0812345678"])
def test_what_is_not_a_date(typed: str) -> None:
    assert parse_day(typed, "th", "TH") is None


def test_the_example_date_follows_the_reader() -> None:
    assert day_example("th", "TH") == "31/12/1990"
    assert day_example("en", "PH") == "12/31/1990"
