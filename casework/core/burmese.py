"""Burmese typed in the Zawgyi font encoding, recognised and converted to Unicode.

Many phones in Myanmar still type Zawgyi: the same code points as Unicode Burmese with other
meanings, so a name typed in Zawgyi would never match the same name in Unicode, and would show
garbled in a Unicode font. Google's detector (myanmartools) gives the probability that a text is
Zawgyi; ICU's `Zawgyi-my` transform converts it. Text without Burmese letters is left alone,
and so is Unicode Burmese (converting it would corrupt it).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import icu
from myanmartools import ZawgyiDetector

# Google's recommended cut-off: above it the text is Zawgyi (the detector answers near 0 or 1
# for real text; a few syllables can be ambiguous and stay as typed).
ZAWGYI_THRESHOLD = 0.95
_MYANMAR_BLOCK = range(0x1000, 0x10A0)


@lru_cache(maxsize=1)
def _detector() -> ZawgyiDetector:
    return ZawgyiDetector()


@lru_cache(maxsize=1)
def _converter() -> Any:
    return icu.Transliterator.createInstance("Zawgyi-my")


def has_burmese(text: str) -> bool:
    return any(ord(character) in _MYANMAR_BLOCK for character in text)


def is_zawgyi(text: str) -> bool:
    return has_burmese(text) and _detector().get_zawgyi_probability(text) >= ZAWGYI_THRESHOLD


def to_unicode(text: str) -> str:
    """The text in Unicode Burmese: converted when it is Zawgyi, else unchanged."""
    if not is_zawgyi(text):
        return text
    return str(_converter().transliterate(text))
