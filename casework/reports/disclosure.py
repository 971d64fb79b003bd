"""Disclosure control of one count table: what every page, export and release shows.

`protect()` takes the true counts (from the database's own GROUP BY) and returns a
`PublishedTable`: the extended grid (cells and margins) with hidden cells as None, and the
notes saying what was done. Standard mode: primary and secondary suppression, then keyed
random rounding of what is published. Differential-privacy mode: OpenDP noise on the cells,
margins summed from the noisy cells, then the same suppression (so no published figure is in
1..k-1 either), no rounding. True counts never leave this function.

`protect_medians()` does the same for a `MedianTable` (median days per cell): see there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from casework.reports import dp
from casework.reports.rounding import coin, round_count
from casework.reports.suppression import suppress

TOTAL = "_total"  # the code of a margin row or column
STANDARD = "standard"
DIFFERENTIAL_PRIVACY = "dp"
MODES = (STANDARD, DIFFERENTIAL_PRIVACY)


@dataclass(frozen=True)
class CountTable:
    """True counts: rows x columns of codes, as the database aggregated them."""

    template: str
    row_codes: tuple[str, ...]
    column_codes: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        if len(self.counts) != len(self.row_codes) or any(
            len(row) != len(self.column_codes) for row in self.counts
        ):
            raise ValueError("counts do not match the row and column codes")

    @property
    def population(self) -> int:
        return sum(sum(row) for row in self.counts)


@dataclass(frozen=True)
class PublishedTable:
    """What may be shown: the extended grid (margins last), None where a cell is hidden."""

    template: str
    mode: str
    row_codes: tuple[str, ...]  # margins included, as TOTAL
    column_codes: tuple[str, ...]
    values: tuple[tuple[int | None, ...], ...]
    k: int
    rounding_base: int | None
    epsilon: float | None
    hidden_cells: int
    notes: tuple[str, ...] = field(default=())
    statistic: str = "count"  # or "median": each value is a median in whole days

    @property
    def empty(self) -> bool:
        return not self.values

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["values"] = [list(row) for row in self.values]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PublishedTable:
        return cls(
            template=data["template"],
            mode=data["mode"],
            row_codes=tuple(data["row_codes"]),
            column_codes=tuple(data["column_codes"]),
            values=tuple(tuple(row) for row in data["values"]),
            k=data["k"],
            rounding_base=data["rounding_base"],
            epsilon=data["epsilon"],
            hidden_cells=data["hidden_cells"],
            notes=tuple(data["notes"]),
            statistic=data.get("statistic", "count"),
        )


# Note codes; the pages and exports turn them into sentences (service.note_text).
NOTE_SUPPRESSED = "suppressed"
NOTE_ROUNDED = "rounded"
NOTE_DP = "differential_privacy"
NOTE_NO_DATA = "no_data"
NOTE_MEDIAN = "median"


@dataclass(frozen=True)
class MedianTable:
    """True medians as the database computed them: (row, column) -> (median days, people
    measured), with the margins under TOTAL. A cell nobody falls in is absent."""

    template: str
    row_codes: tuple[str, ...]
    column_codes: tuple[str, ...]
    cells: Mapping[tuple[str, str], tuple[float, int]]


def round_median(days: float) -> int:
    """Whole days, halves up (a median of an even count can end in .5)."""
    return math.floor(days + 0.5)


def protect_medians(table: MedianTable, *, k: int) -> PublishedTable:
    """Disclosure control of a median table.

    A median of fewer than k people (none included) is hidden: with few people it is close
    to one person's own figure. Every published median is rounded to whole days. No
    secondary suppression is needed: medians do not add up, so a hidden cell cannot be
    worked out from its row's or column's median (nor from the other cells). Which people
    are measured is checked by the ledger as for counts: two median tables over populations
    differing by 1..k-1 people are refused, since comparing them could show those people's
    days. The number of people behind each median is not published."""
    kept = [r for r in table.row_codes if any((r, c) in table.cells for c in table.column_codes)]
    if not kept:
        return PublishedTable(
            template=table.template,
            mode=STANDARD,
            row_codes=(),
            column_codes=table.column_codes,
            values=(),
            k=k,
            rounding_base=None,
            epsilon=None,
            hidden_cells=0,
            notes=(NOTE_NO_DATA,),
            statistic="median",
        )
    row_codes = tuple(kept) + ((TOTAL,) if len(kept) > 1 else ())
    column_codes = table.column_codes + ((TOTAL,) if len(table.column_codes) > 1 else ())
    values = []
    for r in row_codes:
        row: list[int | None] = []
        for c in column_codes:
            median, people = table.cells.get((r, c), (0.0, 0))
            row.append(round_median(median) if people >= k else None)
        values.append(tuple(row))
    hidden = sum(v is None for row in values for v in row)
    return PublishedTable(
        template=table.template,
        mode=STANDARD,
        row_codes=row_codes,
        column_codes=column_codes,
        values=tuple(values),
        k=k,
        rounding_base=None,
        epsilon=None,
        hidden_cells=hidden,
        notes=(NOTE_MEDIAN,),
        statistic="median",
    )


def protect(
    table: CountTable,
    *,
    k: int,
    rounding_base: int,
    rounding_key: bytes,
    mode: str = STANDARD,
    epsilon: float | None = None,
    sensitivity: int = 1,
) -> PublishedTable:
    """Apply disclosure control to `table` (see the module docstring)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    counts: Sequence[Sequence[int]] = table.counts
    if mode == DIFFERENTIAL_PRIVACY:
        if epsilon is None:
            raise dp.PrivacyError("differential privacy needs an epsilon")
        counts = dp.noisy_counts(counts, epsilon, sensitivity) if counts else []
    # Rows with nothing in them say nothing about anyone: leave them out (in DP mode this
    # looks at noisy counts only, which is post-processing).
    kept = [i for i, row in enumerate(counts) if any(row)]
    if not kept:
        return PublishedTable(
            template=table.template,
            mode=mode,
            row_codes=(),
            column_codes=table.column_codes,
            values=(),
            k=k,
            rounding_base=None if mode == DIFFERENTIAL_PRIVACY else rounding_base,
            epsilon=epsilon if mode == DIFFERENTIAL_PRIVACY else None,
            hidden_cells=0,
            notes=(NOTE_NO_DATA,),
        )
    rows = [list(counts[i]) for i in kept]
    result = suppress(rows, k)
    row_codes = tuple(table.row_codes[i] for i in kept) + (
        (TOTAL,) if result.has_column_totals else ()
    )
    column_codes = table.column_codes + ((TOTAL,) if result.has_row_totals else ())
    values: list[tuple[int | None, ...]] = []
    for r, grid_row in enumerate(result.grid):
        out: list[int | None] = []
        for c, value in enumerate(grid_row):
            if (r, c) in result.hidden:
                out.append(None)
            elif mode == STANDARD:
                draw = coin(rounding_key, table.template, (row_codes[r], column_codes[c]), value)
                out.append(round_count(value, rounding_base, k, draw))
            else:
                out.append(value)
        values.append(tuple(out))
    notes = []
    if result.hidden:
        notes.append(NOTE_SUPPRESSED)
    notes.append(NOTE_ROUNDED if mode == STANDARD else NOTE_DP)
    return PublishedTable(
        template=table.template,
        mode=mode,
        row_codes=row_codes,
        column_codes=column_codes,
        values=tuple(values),
        k=k,
        rounding_base=rounding_base if mode == STANDARD else None,
        epsilon=epsilon if mode == DIFFERENTIAL_PRIVACY else None,
        hidden_cells=len(result.hidden),
        notes=tuple(notes),
    )
