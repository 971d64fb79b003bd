"""Exports of a report: CSV, XLSX and JSON, each with its metadata.

A `ReportDocument` is what every export shows: metadata (template names, scope, period,
generated at, k, rounding base, epsilon, software version) and labelled tables in which a
hidden cell is None. Hidden cells are written "x" in CSV and XLSX (the convention of the ABS
and Stats NZ for "not published, to protect confidentiality") and null in JSON. The same
document always gives the same bytes (the release package signs them).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import xlsxwriter

HIDDEN = "x"
INTERVALS_HEADING = "95% intervals (low-high)"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class LabelledTable:
    template: str
    title: str
    row_heading: str
    column_heading: str
    row_codes: tuple[str, ...]
    row_labels: tuple[str, ...]
    column_codes: tuple[str, ...]
    column_labels: tuple[str, ...]
    values: tuple[tuple[int | None, ...], ...]
    notes: tuple[str, ...]
    release_id: str
    statistic: str = "count"  # "median": values are median days
    # Differential privacy: each figure's 95% interval (low, high), else None; the inner
    # cells as noised, before post-processing (for a hub that adds installations' tables).
    intervals: tuple[tuple[tuple[int, int] | None, ...], ...] | None = None
    noisy_cells: tuple[tuple[int, ...], ...] | None = None

    def interval_text(self, r: int, c: int) -> str:
        if self.intervals is None or self.intervals[r][c] is None:
            return ""
        low, high = self.intervals[r][c]  # type: ignore[misc]
        return f"{low}-{high}"


@dataclass(frozen=True)
class ReportDocument:
    title: str
    generated_at: datetime
    metadata: dict[str, Any]  # plain values only: str, int, float, None
    tables: tuple[LabelledTable, ...] = field(default=())

    def metadata_rows(self) -> list[tuple[str, str]]:
        rows = [("title", self.title), ("generated_at", self.generated_at.isoformat())]
        rows += [(key, "" if value is None else str(value)) for key, value in self.metadata.items()]
        return rows


def _safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _cell(value: int | None) -> str | int:
    return HIDDEN if value is None else value


def to_csv(document: ReportDocument) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for key, value in document.metadata_rows():
        writer.writerow([_safe(key), _safe(value)])
    for table in document.tables:
        writer.writerow([])
        writer.writerow([_safe(table.title)])
        writer.writerow(
            [_safe(f"{table.row_heading} / {table.column_heading}")]
            + [_safe(label) for label in table.column_labels]
        )
        for label, row in zip(table.row_labels, table.values, strict=True):
            writer.writerow([_safe(label), *[_cell(v) for v in row]])
        if table.intervals is not None:
            writer.writerow([INTERVALS_HEADING])
            for r, label in enumerate(table.row_labels):
                writer.writerow(
                    [_safe(label)]
                    + [table.interval_text(r, c) for c in range(len(table.column_labels))]
                )
        for note in table.notes:
            writer.writerow([_safe(note)])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheets read UTF-8


def to_json(document: ReportDocument) -> bytes:
    data = {
        "title": document.title,
        "generated_at": document.generated_at.isoformat(),
        "metadata": document.metadata,
        "hidden_cell_value": None,
        "tables": [
            {
                "template": t.template,
                "release_id": t.release_id,
                "title": t.title,
                "statistic": t.statistic,
                "rows": [
                    {"code": c, "label": lab}
                    for c, lab in zip(t.row_codes, t.row_labels, strict=True)
                ],
                "columns": [
                    {"code": c, "label": lab}
                    for c, lab in zip(t.column_codes, t.column_labels, strict=True)
                ],
                "values": [list(row) for row in t.values],
                "intervals_95": [
                    [list(cell) if cell is not None else None for cell in row]
                    for row in t.intervals
                ]
                if t.intervals is not None
                else None,
                "noisy_cells": [list(row) for row in t.noisy_cells]
                if t.noisy_cells is not None
                else None,
                "notes": list(t.notes),
            }
            for t in document.tables
        ],
    }
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def to_xlsx(document: ReportDocument) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    # A fixed creation date (the report's) keeps the bytes the same for the same report.
    workbook.set_properties(
        {"title": document.title, "created": document.generated_at.replace(tzinfo=None)}
    )
    bold = workbook.add_format({"bold": True})
    about = workbook.add_worksheet("About")
    about.write_string(0, 0, document.title, bold)
    for row, (key, value) in enumerate(document.metadata_rows(), start=2):
        about.write_string(row, 0, key, bold)
        about.write_string(row, 1, value)
    about.set_column(0, 0, 22)
    about.set_column(1, 1, 60)
    for index, table in enumerate(document.tables, start=1):
        sheet = workbook.add_worksheet(f"Table {index}")
        sheet.write_string(0, 0, table.title, bold)
        sheet.write_string(2, 0, f"{table.row_heading} / {table.column_heading}", bold)
        for c, label in enumerate(table.column_labels, start=1):
            sheet.write_string(2, c, label, bold)
        rows = zip(table.row_labels, table.values, strict=True)
        for r, (row_label, values) in enumerate(rows, start=3):
            sheet.write_string(r, 0, row_label, bold)
            for c, number in enumerate(values, start=1):
                if number is None:
                    sheet.write_string(r, c, HIDDEN)
                else:
                    sheet.write_number(r, c, number)
        last = 3 + len(table.values)
        if table.intervals is not None:
            last += 1
            sheet.write_string(last, 0, INTERVALS_HEADING, bold)
            for r, row_label in enumerate(table.row_labels):
                last += 1
                sheet.write_string(last, 0, row_label, bold)
                for c in range(len(table.column_labels)):
                    sheet.write_string(last, c + 1, table.interval_text(r, c))
        for offset, note in enumerate(table.notes, start=1):
            sheet.write_string(last + offset, 0, note)
        sheet.set_column(0, 0, 32)
    workbook.close()
    return out.getvalue()
