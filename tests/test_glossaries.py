"""Each catalogue keeps to its language's glossary (docs/glossaries/LANG.csv).

A `label` row: the catalogue translates that string (in that context) exactly so. A `term` row:
every translated string with that English word (placeholders aside) holds the given stem, so
"referral" is one word in every sentence (strings named in `except` are other senses).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from casework import ROOT

GLOSSARIES = ROOT / "docs" / "glossaries"
TRANSLATIONS = ROOT / "casework" / "translations"
PLACEHOLDER = re.compile(r"%\([^)]*\)[a-z]|\{[^}]*\}")
FIELDS = ["kind", "context", "source", "translation", "note", "except"]


def _glossary(language: str) -> list[dict[str, str]]:
    with (GLOSSARIES / f"{language}.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == FIELDS
        return list(reader)


def _languages() -> list[str]:
    return sorted(p.parts[-3] for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def test_every_catalogue_has_a_glossary() -> None:
    assert _languages()
    for language in _languages():
        assert (GLOSSARIES / f"{language}.csv").exists(), language


@pytest.mark.parametrize("glossary", sorted(GLOSSARIES.glob("*.csv")), ids=lambda p: p.stem)
def test_glossary_is_well_formed(glossary: Path) -> None:
    rows = _glossary(glossary.stem)
    assert len(rows) > 50
    for row in rows:
        assert row["kind"] in {"label", "term"}, row
        assert row["source"].strip() == row["source"], row
        assert row["translation"].strip(), row
    labels = [(row["context"], row["source"]) for row in rows if row["kind"] == "label"]
    assert len(labels) == len(set(labels)), "a label twice"


@pytest.mark.parametrize("language", _languages())
def test_catalogue_keeps_to_its_glossary(language: str) -> None:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    wrong = []
    for row in _glossary(language):
        if row["kind"] == "label":
            message = catalogue.get(row["source"], row["context"] or None)
            if message is not None and message.string and message.string != row["translation"]:
                wrong.append((row["source"], message.string, row["translation"]))
            continue
        word = re.compile(rf"\b{re.escape(row['source'])}\b", re.IGNORECASE)
        allowed = {s for s in row["except"].split(" | ") if s}
        for message in catalogue:
            if not message.id or isinstance(message.id, tuple) or not message.string:
                continue
            if message.id in allowed or not word.search(PLACEHOLDER.sub(" ", message.id)):
                continue
            if row["translation"].casefold() not in str(message.string).casefold():
                wrong.append((message.id, message.string, row["translation"]))
    assert wrong == []
