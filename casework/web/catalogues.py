"""The translation catalogues: how much of the template each one translates, and whether a
translation keeps the placeholders of its source (`%(name)s`, `%%`, `{name}`).

Read by the app (which languages to offer), the tests and `tools/catalogue_fill.py`; no Flask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po


@dataclass(frozen=True)
class Coverage:
    """How much of the template one language's compiled catalogue translates."""

    language: str
    total: int
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def percent(self) -> float:
        return 100.0 * (self.total - len(self.missing)) / self.total if self.total else 100.0


def _key(message_id: object, context: str | bytes | None) -> tuple[str, str | None]:
    first = message_id[0] if isinstance(message_id, tuple | list) else message_id
    if isinstance(context, bytes):  # babel's read_mo leaves the context undecoded
        context = context.decode("utf-8")
    return str(first), context


def _translated(string: object) -> bool:
    if isinstance(string, tuple | list):
        return bool(string) and all(string)
    return bool(string)


@lru_cache(maxsize=64)
def _template_keys(pot: Path, _mtime: float) -> tuple[tuple[str, str | None], ...]:
    with pot.open("rb") as handle:
        return tuple(_key(m.id, m.context) for m in read_po(handle) if m.id)


@lru_cache(maxsize=64)
def _translated_keys(mo: Path, _mtime: float) -> frozenset[tuple[str, str | None]]:
    with mo.open("rb") as handle:
        catalogue = read_mo(handle)
    return frozenset(_key(m.id, m.context) for m in catalogue if m.id and _translated(m.string))


def coverage(directory: Path, language: str) -> Coverage:
    """What the compiled catalogue of `language` leaves untranslated. The app serves the `.mo`,
    not the `.po`: a missing `.mo` leaves everything untranslated, one compiled before the
    latest strings were translated leaves those untranslated."""
    pot = directory / "messages.pot"
    wanted = _template_keys(pot, pot.stat().st_mtime)
    mo = directory / language / "LC_MESSAGES" / "messages.mo"
    have = _translated_keys(mo, mo.stat().st_mtime) if mo.exists() else frozenset()
    missing = tuple(
        message if context is None else f"{context}|{message}"
        for message, context in wanted
        if (message, context) not in have
    )
    return Coverage(language, len(wanted), missing)


_PLACEHOLDER = re.compile(
    r"%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[sdifrx]|%%|\{[A-Za-z_][A-Za-z0-9_]*\}"
)


def placeholders(text: str) -> list[str]:
    """The placeholders of a message, sorted (order may change between languages)."""
    return sorted(_PLACEHOLDER.findall(text))


def placeholder_problems(message_id: object, string: object) -> list[str]:
    """Why a translation does not keep its source's placeholders (empty when it does).

    Every translated form must hold the source's placeholders (for plurals: those of the
    plural source; a language with one form may leave out the singular's)."""
    ids = list(message_id) if isinstance(message_id, tuple | list) else [message_id]
    forms = list(string) if isinstance(string, tuple | list) else [string]
    wanted = placeholders(str(ids[-1]))
    allowed = {tuple(placeholders(str(i))) for i in ids}
    problems = []
    for form in forms:
        if not form:
            continue
        found = placeholders(str(form))
        if tuple(found) not in allowed and found != wanted:
            problems.append(f"placeholders {found} instead of {wanted}")
    return problems
