"""The dry run: every problem of every row, with its row and column, writing nothing.

A row is checked as registration would check it (`cases.operations.check_registration`, the
same rules as the register form), after its cells were read (`mapping.read_row`: unknown code,
bad date, missing value). A probable duplicate is a problem too: of an earlier row of the same
file (same identity document number, or same name and date of birth, normalised as the blind
indexes are), or of a case of the same agency (`cases.duplicates.agency_duplicates`: the
existing check, which looks at no other agency's cases, decision 0055).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from casework.cases.duplicates import agency_duplicates
from casework.cases.operations import CaseInputError, check_registration
from casework.cases.record import CaseInput
from casework.crypto import normalise_identity_number, normalise_name
from casework.exchange.mapping import COLUMN_OF_FIELD, NOT_KEPT, REQUIRED, RowReading, read_row
from casework.exchange.reading import Table


@dataclass(frozen=True)
class Problem:
    row: int  # the spreadsheet's row number (1: the header)
    column: str  # its letter ('' when the column is missing)
    field: str  # the layout's field name
    message: Any  # lazy translatable: never quotes the cell's value

    def describe(self) -> str:
        where = f"{self.column} ({self.field})" if self.column else self.field
        return f"row {self.row}, column {where}: {self.message}"


@dataclass
class Checked:
    rows: list[tuple[int, RowReading]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    not_kept: list[str] = field(default_factory=list)  # layout columns Casework drops
    ignored: list[str] = field(default_factory=list)  # headers outside the layout

    @property
    def ok(self) -> bool:
        return not self.problems


def check_table(table: Table, agency_id: uuid.UUID) -> Checked:
    checked = Checked(ignored=list(table.ignored))
    for row, column, message in table.problems:
        name = next((f for f, letter in table.columns.items() if letter == column), "")
        checked.problems.append(Problem(row, column, name, message))
    missing = [name for name in REQUIRED if name not in table.columns]
    for name in missing:
        checked.problems.append(Problem(1, "", name, _l("This column is missing.")))
    checked.not_kept = sorted(
        name for name in NOT_KEPT if any(name in cells for _number, cells in table.rows)
    )
    seen: dict[tuple[str, ...], int] = {}
    for number, cells in table.rows:
        reading = read_row(cells)
        checked.rows.append((number, reading))
        for name, message in reading.problems:
            checked.problems.append(Problem(number, table.columns.get(name, ""), name, message))
        if reading.problems or missing:
            continue
        try:
            content = check_registration(reading.data)
        except CaseInputError as refused:
            name = COLUMN_OF_FIELD.get(refused.field or "", "prs_FirstName")
            checked.problems.append(
                Problem(number, table.columns.get(name, ""), name, refused.message)
            )
            continue
        _duplicates(checked, table, number, content, seen, agency_id)
    return checked


def _keys(content: CaseInput) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = [
        ("document", normalise_identity_number(d.number)) for d in content.documents
    ]
    if content.full_name and content.date_of_birth is not None:
        birth = content.date_of_birth.isoformat()
        keys.append(("person", normalise_name(content.full_name), birth))
    return [key for key in keys if all(key)]


def _duplicates(
    checked: Checked,
    table: Table,
    number: int,
    content: CaseInput,
    seen: dict[tuple[str, ...], int],
    agency_id: uuid.UUID,
) -> None:
    name = "prs_FirstName"
    column = table.columns.get(name, "")
    earlier = sorted({seen[key] for key in _keys(content) if key in seen})
    for row in earlier:
        message = _l("Probably the same person as row %(row)d.", row=row)
        checked.problems.append(Problem(number, column, name, message))
    for key in _keys(content):
        seen.setdefault(key, number)
    for case in agency_duplicates(agency_id, content):
        message = _l("Probably the same person as case %(reference)s.", reference=case.reference)
        checked.problems.append(Problem(number, column, name, message))
