"""The README's HTCDS field table names every field of the standard once (the committed copy
of its field list, tests/fixtures/htcds/fields.csv) and only attributes that exist."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from casework import ROOT, models

FIELDS = Path(__file__).parent / "fixtures" / "htcds" / "fields.csv"
ROW = re.compile(r"^\| `(?P<field>[a-z]{3}_\w+)` \|[^|]*\|[^|]*\| (?P<where>.+) \|$")
ATTRIBUTE = re.compile(r"`(?P<model>[A-Z]\w+)\.(?P<attribute>[a-z_]+)`")


def _standard_fields() -> list[str]:
    with FIELDS.open(encoding="utf-8", newline="") as handle:
        return [row["field"] for row in csv.DictReader(handle)]


def _table() -> list[tuple[str, str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return [(m["field"], m["where"]) for m in map(ROW.match, readme.splitlines()) if m is not None]


def test_the_table_names_every_field_of_the_standard_once() -> None:
    standard = _standard_fields()
    assert len(standard) == 83
    named = [field for field, _ in _table()]
    assert sorted(named) == sorted(standard), (
        f"missing: {sorted(set(standard) - set(named))}; "
        f"not in the standard: {sorted(set(named) - set(standard))}; "
        f"twice: {sorted({f for f in named if named.count(f) > 1})}"
    )


def test_each_field_lives_somewhere_named_or_says_why_not() -> None:
    for field, where in _table():
        held = ATTRIBUTE.search(where) or where.startswith("`CaseCode`")
        assert held or where.startswith("not held"), field
        if where.startswith("not held"):
            assert ":" in where, f"{field}: say why it is not held"


def test_every_attribute_the_table_names_exists() -> None:
    missing = []
    for field, where in _table():
        for match in ATTRIBUTE.finditer(where):
            model = getattr(models, match["model"], None)
            if model is None or not hasattr(model, match["attribute"]):
                missing.append(f"{field}: {match[0]}")
    assert missing == []
