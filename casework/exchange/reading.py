"""Reading an uploaded spreadsheet (XLSX or CSV) into rows of text, defensively.

Nothing in a file is ever evaluated: a formula cell is a problem at its row and column (its
cached value is not read either); macros, external links and every sheet but the first are
not read (openpyxl in read-only mode, `keep_vba=False`, `keep_links=False`). A file past a
limit (bytes, unzipped bytes or compression ratio, rows, columns, cell length) is refused whole
with the limit named; a CSV file must be UTF-8 (with or without a byte-order mark).
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l

from casework.core.errors import OperationError
from casework.exchange.mapping import canonical_field, field_of_label

MAX_BYTES = 5 * 1024 * 1024  # the file as uploaded
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024  # an XLSX file's parts, unpacked
MAX_RATIO = 200  # unpacked / packed, per part: a zip bomb packs far tighter
MAX_ROWS = 2000  # cases in one file
MAX_SCANNED_ROWS = 20_000  # rows read at all, empty ones included
MAX_COLUMNS = 100
MAX_CELL_CHARS = 2000
# A cell starting so is a formula to a spreadsheet program: refused on the way in, escaped
# with a leading apostrophe on the way out (and that escape removed when read back).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
_UTF8_BOM = b"\xef\xbb\xbf"


class ExchangeFileError(OperationError):
    """The file cannot be read at all (not a spreadsheet, past a limit, not UTF-8)."""


@dataclass
class Table:
    """A sheet's data rows by the layout's field names, and the header's problems."""

    columns: dict[str, str] = field(default_factory=dict)  # field name -> column letter
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (row number, cells)
    # (row, column, message): cells refused while reading (formulas), header problems (row 1).
    problems: list[tuple[int, str, Any]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # headers of columns not in the layout


def column_letter(index: int) -> str:
    """A (0-based), B ... Z, AA ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def escape(text: str) -> str:
    """A value as written to a cell: never taken for a formula."""
    return ESCAPE + text if text.startswith(FORMULA_STARTS) else text


def read_table(content: bytes, filename: str) -> Table:
    """The rows of `content` (an .xlsx or .csv file, told by its name and checked by its
    bytes). Raises ExchangeFileError when the file cannot be taken at all."""
    if len(content) > MAX_BYTES:
        raise ExchangeFileError(
            _l("The file is larger than %(mib)d MiB.", mib=MAX_BYTES // (1024 * 1024))
        )
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _table(_xlsx_rows(content))
    if name.endswith(".csv"):
        return _table(_csv_rows(content))
    raise ExchangeFileError(_l("Upload an .xlsx or a .csv file."))


# ---- XLSX --------------------------------------------------------------------------------

_FORMULA = object()  # a formula cell, whatever it computes


def _check_zip(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise ExchangeFileError(_l("This is not an .xlsx file.")) from None
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > 1_000_000:
            raise ExchangeFileError(_l("The file unpacks to far more than it holds: refused."))
    if total > MAX_UNZIPPED_BYTES:
        raise ExchangeFileError(
            _l(
                "The file unpacks to more than %(mib)d MiB.",
                mib=MAX_UNZIPPED_BYTES // (1024 * 1024),
            )
        )


def _xlsx_rows(content: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    _check_zip(content)
    with warnings.catch_warnings():  # "data validation extension is not supported", etc.
        warnings.simplefilter("ignore")
        try:
            book = load_workbook(
                io.BytesIO(content),
                read_only=True,
                data_only=False,
                keep_vba=False,
                keep_links=False,
            )
        except Exception:  # openpyxl raises many kinds on a damaged file
            raise ExchangeFileError(_l("This is not an .xlsx file.")) from None
    try:
        sheet = book.worksheets[0]
        if (sheet.max_column or 0) > MAX_COLUMNS:
            raise _too_many_columns()
        if (sheet.max_row or 0) > MAX_SCANNED_ROWS:
            raise _too_many_rows()
        for row in sheet.iter_rows():
            yield [_xlsx_value(cell) for cell in row]
    finally:
        book.close()


def _xlsx_value(cell: Any) -> Any:
    if getattr(cell, "data_type", None) in ("f", "e"):  # a formula, or an error it gave
        return _FORMULA
    value = cell.value
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


# ---- CSV ---------------------------------------------------------------------------------


def _csv_rows(content: bytes) -> Iterator[list[Any]]:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExchangeFileError(_l("The CSV file is UTF-16: save it as CSV UTF-8."))
    try:
        text = content.removeprefix(_UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError:
        raise ExchangeFileError(_l("The CSV file is not UTF-8: save it as CSV UTF-8.")) from None
    if "\x00" in text:
        raise ExchangeFileError(_l("The CSV file is not UTF-8: save it as CSV UTF-8."))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error:
        raise ExchangeFileError(_l("The CSV file is damaged: a quote is not closed.")) from None


# ---- both --------------------------------------------------------------------------------


def _too_many_rows() -> ExchangeFileError:
    return ExchangeFileError(
        _l("The file has more than %(rows)d rows: split it.", rows=MAX_ROWS),
    )


def _too_many_columns() -> ExchangeFileError:
    return ExchangeFileError(_l("The file has more than %(columns)d columns.", columns=MAX_COLUMNS))


def _text(value: Any) -> str:
    if value is None or value is _FORMULA:
        return ""
    text = str(value).strip()
    if text.startswith(ESCAPE) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _table(rows: Iterable[list[Any]]) -> Table:
    table = Table()
    header: list[str] | None = None
    fields: dict[int, str] = {}
    scanned = 0
    for number, row in enumerate(rows, start=1):
        scanned += 1
        if scanned > MAX_SCANNED_ROWS:
            raise _too_many_rows()
        if len(row) > MAX_COLUMNS and any(v not in (None, "") for v in row[MAX_COLUMNS:]):
            raise _too_many_columns()
        if header is None:
            header = [_text(v) for v in row]
            fields = _header_fields(table, header)
            continue
        if number == 2 and _is_label_row(row, fields):
            _name_by_labels(table, header, row, fields)
            continue
        cells: dict[str, str] = {}
        for index, name in fields.items():
            value = row[index] if index < len(row) else None
            letter = column_letter(index)
            if value is _FORMULA or (isinstance(value, str) and value.lstrip().startswith("=")):
                table.problems.append((number, letter, _l("Formulas are not accepted.")))
                value = "="
            text = _text(value)
            if len(text) > MAX_CELL_CHARS:
                raise ExchangeFileError(
                    _l(
                        "Cell %(cell)s holds more than %(chars)d characters.",
                        cell=f"{letter}{number}",
                        chars=MAX_CELL_CHARS,
                    )
                )
            if text:
                cells[name] = text
        if cells:
            if len(table.rows) >= MAX_ROWS:
                raise _too_many_rows()
            table.rows.append((number, cells))
    if header is None:
        raise ExchangeFileError(_l("The file is empty."))
    table.columns = {name: column_letter(index) for index, name in fields.items()}
    return table


def _header_fields(table: Table, header: list[str]) -> dict[int, str]:
    fields: dict[int, str] = {}
    for index, title in enumerate(header):
        if not title:
            continue
        name = canonical_field(title)
        if not name:
            table.ignored.append(title[:80])
            continue
        if name in fields.values():
            table.problems.append((1, column_letter(index), _l("This column appears twice.")))
            continue
        fields[index] = name
    return fields


def _is_label_row(row: list[Any], fields: dict[int, str]) -> bool:
    """Row 2 of the toolkit's sheet holds the columns' labels, not a case."""
    texts = [_text(v) for v in row if _text(v)]
    return bool(texts) and sum(1 for t in texts if field_of_label(t)) * 2 >= len(texts)


def _name_by_labels(
    table: Table, header: list[str], labels: list[Any], fields: dict[int, str]
) -> None:
    """Columns with no field name in row 1 are known by their label in row 2 (the toolkit's
    column AJ)."""
    for index, value in enumerate(labels):
        if index in fields or (index < len(header) and header[index]):
            continue
        name = field_of_label(_text(value))
        if name and name not in fields.values():
            fields[index] = name
