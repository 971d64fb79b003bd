"""Normalisation before blind indexing: the spellings a caseworker may type map to one value.

A blind index matches only identical normalised values, so what a normaliser folds together
decides what a search finds. Every function here is idempotent. Changing one changes the
indexes it feeds: bump the index version label in `blind_index` and re-index the column.

`normalise_text` (and `normalise_name`, which builds on it) matches across:

* case (Unicode case folding: "NGUYEN" = "nguyen", "Straße" = "strasse");
* width and compatibility forms (NFKC: full-width Latin letters as ASCII, ligatures, circled
  or superscript digits), and composed versus decomposed accents;
* invisible characters (format characters such as zero-width space/joiners, soft hyphen,
  bidi marks, byte-order mark; variation selectors; Hangul fillers): removed;
* spacing: every run of Unicode whitespace or control characters is one space, trimmed;
* punctuation (hyphens, dots, commas, apostrophes, brackets, quotes; every Unicode P*
  category) and modifier symbols (^, `): treated as spaces, so "Thi-Lan" = "Thi Lan" and
  "O'Brien" = "O Brien" (but not "OBrien");
* diacritics on Latin letters: removed, so "Nguyễn" = "Nguyen", "Hòa" = "Hoa", "José" =
  "Jose", and Vietnamese "đ" = "d" (ø, ł, dotless i, ħ, ŧ, ð alike; æ, œ spelled out).
  Caseworkers without a Vietnamese keyboard type the bare letters, so this is worth the extra
  collisions it causes ("Lân", "Lan" and "Lận" become one value; the exact comparison after
  decryption uses the same normaliser, so such names are treated as the same name).
  Marks on other scripts are kept: Thai, Khmer and Burmese vowel signs and tone marks are
  letters' parts, not accents, and Cyrillic "й" is not "и".

It does NOT match: transliteration between scripts (Thai, Khmer, Burmese, Chinese, Lao to
Latin, or traditional to simplified Chinese; that needs a transliteration library and is
ambiguous anyway); Burmese text typed in the Zawgyi encoding versus Unicode (same code points,
different meaning; needs a Zawgyi detector and converter); Khmer subscript spelling variants;
nicknames, honorifics or titles ("Ms", "Bà", "Nang"); parts run together or split
("ThiLan" versus "Thi Lan"); spelling variants and typos ("Nguyen" versus "Ngyuen").

`normalise_name` also sorts the name's parts, so "Lan Nguyen Thi" = "Nguyen Thi Lan": name
order differs between agencies (family name first or last) and documents.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

# Default-ignorable characters outside the Cf category (which is removed wholesale).
_IGNORABLE = frozenset(
    [
        *(0x034F, 0x115F, 0x1160, 0x180B, 0x180C, 0x180D, 0x180F, 0x3164, 0xFFA0),
        *range(0xFE00, 0xFE10),  # variation selectors
        *range(0xE0100, 0xE01F0),  # variation selectors supplement
    ]
)
# Latin letters that carry a stroke or are ligatures: NFD does not decompose them.
_LATIN_FOLD = {
    "đ": "d",
    "ð": "d",
    "ø": "o",
    "ł": "l",
    "\N{LATIN SMALL LETTER DOTLESS I}": "i",
    "ħ": "h",
    "ŧ": "t",
}
_LATIN_FOLD |= {"æ": "ae", "œ": "oe"}


def _visible(value: str) -> str:
    return "".join(
        ch for ch in value if ord(ch) not in _IGNORABLE and unicodedata.category(ch) != "Cf"
    )


def _is_latin(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("LATIN ")


def _fold(value: str) -> str:
    """Invisible characters removed, NFKC, case folded, Latin diacritics removed, every
    punctuation, whitespace or control character turned into a space (not yet collapsed)."""
    # Invisible characters go first: left in place, a joiner between a letter and an accent
    # would block composition on this pass and not on the next one.
    text = unicodedata.normalize("NFKC", _visible(value))
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text.casefold()))
    out: list[str] = []
    base_category = ""  # category of the letter the next combining mark would sit on
    base_latin = False
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Mn":
            # Keep marks only on non-Latin letters; drop Latin accents and stray marks.
            if base_category.startswith("L") and not base_latin:
                out.append(ch)
            continue
        if category[0] in "PZ" or category in ("Cc", "Sk"):
            out.append(" ")
            base_category = ""
            continue
        folded = _LATIN_FOLD.get(ch, ch)
        out.append(folded)
        base_category, base_latin = category, _is_latin(ch)
    return unicodedata.normalize("NFC", "".join(out))


def normalise_text(value: str) -> str:
    """NFKC, case folded, Latin diacritics folded, punctuation as spaces, spaces collapsed."""
    return " ".join(part for part in _fold(value).split(" ") if part)


def normalise_name(value: str, *, sort_tokens: bool = True) -> str:
    """`normalise_text`, with the name's parts sorted (so their order does not matter)."""
    parts = [part for part in _fold(value).split(" ") if part]
    return " ".join(sorted(parts) if sort_tokens else parts)


def normalise_identity_number(value: str) -> str:
    """Letters and digits only, upper-cased, after NFKC: "ab 12-34/5" -> "AB12345".

    Digits of any script become ASCII digits (Thai "๑๒๓" -> "123"); Latin accents go.
    """
    out: list[str] = []
    for ch in _fold(value):
        if unicodedata.category(ch) == "Nd":
            out.append(str(unicodedata.decimal(ch)))
        elif ch.isalpha():
            out.append(ch.upper())
    return unicodedata.normalize("NFC", "".join(out))


def normalise_phone(value: str) -> str:
    """Digits only (any script's digits as ASCII), with "+" kept if it comes before them.

    "+66 81-234 5678" and "(+66) 812345678" give "+66812345678"; "081 234 5678" gives
    "0812345678", which does NOT match it: turning national numbers and "00" prefixes into
    international form needs each country's dialling plan (libphonenumber), so do that in the
    form layer if needed. Extensions are kept as trailing digits.
    """
    text = unicodedata.normalize("NFKC", _visible(value))
    digits: list[str] = []
    plus = False
    for ch in text:
        if unicodedata.category(ch) == "Nd":
            digits.append(str(unicodedata.decimal(ch)))
        elif ch == "+" and not digits:
            plus = True
    if not digits:
        return ""
    return ("+" if plus else "") + "".join(digits)


def normalise_date(value: date | str) -> str:
    """ISO 8601 YYYY-MM-DD from a `date` or an ISO 8601 date string; ValueError otherwise.

    Partial dates (year only, for a person who does not know their birthday) are not dates:
    index them, if at all, in a separate column.
    """
    if isinstance(value, datetime):
        raise TypeError("a datetime is not a date: pass .date() if that is what you mean")
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        raise TypeError("a date must be a datetime.date or an ISO 8601 string")
    text = "".join(
        str(unicodedata.decimal(ch)) if unicodedata.category(ch) == "Nd" else ch
        for ch in unicodedata.normalize("NFKC", value).strip()
    )
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None:  # the original message echoes the input, which may be personal data
        raise ValueError("not an ISO 8601 date (YYYY-MM-DD)")
    return parsed.isoformat()
