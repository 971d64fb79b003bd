"""The code-list type every vocabulary is built from."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Term:
    code: str
    label: object  # a lazy translatable string


class Vocabulary:
    """An ordered code list. `choices()` feeds WTForms; `label(code)` displays a code."""

    def __init__(self, name: str, terms: Iterable[tuple[str, object]]) -> None:
        self.name = name
        self.terms = tuple(Term(code, label) for code, label in terms)
        self._by_code = {t.code: t for t in self.terms}

    @classmethod
    def of(cls, name: str, codes: type[StrEnum], labels: Mapping[StrEnum, object]) -> Vocabulary:
        """The labels of a domain enum (casework.domain), in the enum's order. Every code
        needs a label, and nothing else may have one."""
        if set(labels) != set(codes):
            raise ValueError(f"{name}: labels must cover exactly the codes of {codes.__name__}")
        return cls(name, [(code.value, labels[code]) for code in codes])

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)

    def label(self, code: str | None) -> str:
        if code is None:
            return ""
        term = self._by_code.get(code)
        return str(term.label) if term else code

    def choices(self, blank: object | None = None) -> list[tuple[str, str]]:
        items = [(t.code, str(t.label)) for t in self.terms]
        return ([("", str(blank))] if blank is not None else []) + items
