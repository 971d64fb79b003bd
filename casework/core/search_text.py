"""What a search term means as people remember it: names in any script, phone numbers the
local way, dates in the reader's format.

* Names become lower-case ASCII tokens (`name_tokens`): Zawgyi Burmese converted to Unicode
  first (`core/burmese.py`); each space-separated part kept whole and also cut into words by
  ICU's dictionary word breaker (Thai, Lao, Khmer and Burmese are written without spaces
  between a name's syllables); each transliterated by ICU (`Any-Latin; Latin-ASCII; Lower`:
  Thai, Burmese, Vietnamese diacritics, Chinese, Cyrillic...). ICU has no Khmer or Lao
  transform, so what it leaves outside ASCII is transliterated by `anyascii` (tables kept by
  its authors, not by us). So "Nguyễn Thị Hòa" gives "nguyen thi hoa", "ကျော်ဇင်ဦး" gives
  "kyawjainu" and its words "kyaw", "jain", "u", and "សុខ ដារ៉ា" gives "sokh dara".
* Phone numbers (`phone_variants`): libphonenumber (`phonenumbers`) reads what was typed with
  the agency's country as the default region, so "0812345678" in Thailand is +66812345678;
  the variants are the forms a stored number may have been typed in (E.164, national).
* Dates (`parse_day`): ISO 8601, or the reader's locale's short format through Babel (day
  first for the region's locales: 03/02/2001 is 3 February), a Thai Buddhist-era year
  (2544) turned into the Common Era one.

Nothing here logs or keeps what it is given.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from datetime import date

import icu
import phonenumbers
from anyascii import anyascii
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, parse_date

from casework.core.burmese import has_burmese, to_unicode

TRANSFORM = "Any-Latin; Latin-ASCII; Lower"
# Babel's locale whose short date is day first (dd/MM/y): the fallback for a reader whose own
# locale writes the year first or is unknown to CLDR with the agency's country (en_TH).
DAY_FIRST_LOCALE = "en_001"
BUDDHIST_ERA_OFFSET = 543
MIN_PHONE_DIGITS = 6

_local = threading.local()  # ICU transliterators and break iterators are not shared by threads
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def _transliterator() -> icu.Transliterator:
    found = getattr(_local, "transliterator", None)
    if found is None:
        found = _local.transliterator = icu.Transliterator.createInstance(TRANSFORM)
    return found


def _word_breaker() -> icu.BreakIterator:
    found = getattr(_local, "breaker", None)
    if found is None:
        found = _local.breaker = icu.BreakIterator.createWordInstance(icu.Locale.getRoot())
    return found


def to_latin(text: str) -> str:
    """Lower-case ASCII letters and digits (other characters as spaces), whatever the script."""
    text = unicodedata.normalize("NFKC", text)
    if has_burmese(text):
        text = to_unicode(text)
    latin = str(_transliterator().transliterate(text))
    if not latin.isascii():
        latin = anyascii(latin).lower()  # Khmer, Lao: no ICU transform
    return " ".join(_NOT_WORD.split(latin)).strip()


def _words(part: str) -> list[str]:
    """The dictionary words of one space-free part (ICU: Thai, Lao, Khmer, Burmese, CJK)."""
    breaker = _word_breaker()
    breaker.setText(part)
    words: list[str] = []
    start = breaker.first()
    for end in breaker:
        if breaker.getRuleStatus() != 0:  # a word, not punctuation or space
            words.append(part[start:end])
        start = end
    return words


def name_parts(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each space-separated part of `text` in Latin, with its dictionary words in Latin (empty
    when the part is one word)."""
    text = unicodedata.normalize("NFKC", text or "")
    if has_burmese(text):
        text = to_unicode(text)
    parts: list[tuple[str, tuple[str, ...]]] = []
    for raw in text.split():
        whole = to_latin(raw)
        if not whole:
            continue
        pieces: tuple[str, ...] = ()
        if not raw.isascii():
            words = [to_latin(word) for word in _words(raw)]
            pieces = tuple(token for word in words for token in word.split() if token)
        if " " in whole:  # punctuation inside a part ("Thi-Lan"): its pieces, and joined
            pieces = tuple(dict.fromkeys((*pieces, *whole.split())))
            whole = whole.replace(" ", "")
        if pieces == (whole,):
            pieces = ()
        parts.append((whole, pieces))
    return parts


def name_tokens(*texts: str | None) -> frozenset[str]:
    """Every token a name may be found by: its parts in Latin and their dictionary words."""
    tokens: set[str] = set()
    for text in texts:
        for whole, pieces in name_parts(text or ""):
            tokens.add(whole)
            tokens.update(pieces)
    return frozenset(tokens)


# ---- phone numbers ---------------------------------------------------------------------------


def phone_digits(text: str) -> int:
    return sum(1 for ch in text if unicodedata.category(ch) == "Nd")


def phone_variants(text: str, region: str | None) -> list[str]:
    """The forms a stored number typed as `text` may have: as typed, E.164 ("+66812345678")
    and national ("0812345678"), read with `region` (the agency's country) as the default.
    Empty when `text` has too few digits to be a phone number."""
    if phone_digits(text) < MIN_PHONE_DIGITS:
        return []
    variants = [text]
    digits = "".join(
        str(unicodedata.decimal(ch)) if unicodedata.category(ch) == "Nd" else ch
        for ch in unicodedata.normalize("NFKC", text)
    )
    try:
        number = phonenumbers.parse(digits, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return variants
    if not phonenumbers.is_possible_number(number):
        return variants
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    for variant in (e164, national):
        if variant not in variants:
            variants.append(variant)
    return variants


# ---- dates -----------------------------------------------------------------------------------


def _locale(language: str | None, country: str | None) -> Locale | None:
    """The reader's language in the agency's country (en_PH, th_TH); English elsewhere is
    international English (day first), not the United States' (month first)."""
    candidates = (
        f"{language}_{country}" if language and country else None,
        DAY_FIRST_LOCALE if language == "en" else None,
        language,
    )
    for name in candidates:
        if not name:
            continue
        try:
            return Locale.parse(name)
        except (UnknownLocaleError, ValueError):
            continue
    return None


def _year_first(locale: Locale) -> bool:
    pattern = str(locale.date_formats["short"].pattern).lower()
    return pattern.find("y") < min(pattern.find("d"), pattern.find("m"))


def _reading_locale(language: str | None, country: str | None) -> Locale:
    locale = _locale(language, country)
    if locale is None or _year_first(locale):
        return Locale.parse(DAY_FIRST_LOCALE)
    return locale


def day_example(language: str | None = None, country: str | None = None) -> str:
    """31 December 1990 as `parse_day` reads it for this reader (31/12/1990, 12/31/1990)."""
    locale = _reading_locale(language, country)
    pattern = str(locale.date_formats["short"].pattern)
    pattern = re.sub(r"y+", "yyyy", pattern)
    pattern = re.sub(r"d+", "dd", re.sub(r"M+", "MM", pattern))
    return str(format_date(date(1990, 12, 31), pattern, locale=locale))


def parse_day(text: str, language: str | None = None, country: str | None = None) -> date | None:
    """The day `text` names: ISO 8601 (2001-02-03), or the short format of the reader's
    language in the agency's country (03/02/2001 is 3 February in th, vi, km, en_GB...), day
    first when that locale writes the year first; None when it is not a date."""
    value = "".join(
        str(unicodedata.decimal(ch)) if unicodedata.category(ch) == "Nd" else ch
        for ch in unicodedata.normalize("NFKC", text).strip()
    )
    if not re.fullmatch(r"\d{1,4}[-/. ]\d{1,2}[-/. ]\d{1,4}", value):
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    if re.match(r"\d{4}", value):  # year first but not ISO: not a format we guess
        return None
    locale = _reading_locale(language, country)
    separated = re.sub(r"[-. ]", "/", value)
    try:
        parsed = parse_date(separated, locale=locale, format="short")
    except (ValueError, IndexError):
        return None
    if not re.search(r"\d{4}$", separated):
        return None  # a two-digit year is a guess at the century: not for a birth date
    this_year = date.today().year  # noqa: DTZ011 (only the year: a Buddhist-era year is far ahead)
    if parsed.year > this_year >= parsed.year - BUDDHIST_ERA_OFFSET:
        try:
            parsed = parsed.replace(year=parsed.year - BUDDHIST_ERA_OFFSET)
        except ValueError:
            return None
    return parsed
