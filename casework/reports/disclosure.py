"""Disclosure control of one count table: what every page, export and release shows.

`protect()` takes the true counts (from the database's own GROUP BY) and returns a
`PublishedTable`: the extended grid (cells and margins) over every code of the template (a
fixed grid: which rows appear never depends on the data), hidden cells as None, and the notes
saying what was done. True counts never leave this function.

* Standard mode: cells of 0 to k-1 are hidden alike (a reader cannot tell a hidden small
  count from a true zero, and an attacker must allow 0 for every hidden cell), cells the
  caller marks sensitive are hidden too (another agency's few people, see `service`), then
  secondary suppression, then keyed random rounding of what is published. Margins that every
  template of a population shares (the column totals of a one-way table of people) are never
  chosen for secondary suppression and are rounded with a coin keyed by the population, not
  the template, so every template shows them the same.
* Differential-privacy mode: OpenDP noise on the cells (person-level counts), made
  non-negative integers with their column sums kept, margins summed from them; nothing is
  hidden, and every figure carries a 95% interval.

`protect_medians()` does the same for a `MedianTable` (median days per cell): see there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from casework.reports import dp
from casework.reports.linked import AuditTable, narrow_figures
from casework.reports.rounding import coin, round_count
from casework.reports.suppression import Position, suppress

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
    # Differential privacy: each figure's 95% interval [low, high], the noise scale of one
    # cell, its variance and the L1 sensitivity (cells one person can change).
    intervals: tuple[tuple[tuple[int, int] | None, ...], ...] | None = None
    noise_scale: float | None = None
    noise_variance: float | None = None
    sensitivity: int | None = None
    # Differential privacy: the inner cells as OpenDP returned them (may be negative), before
    # post-processing: unbiased, each with `noise_variance`, what a regional hub adds up.
    noisy_cells: tuple[tuple[int, ...], ...] | None = None

    @property
    def empty(self) -> bool:
        return not self.values

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["values"] = [list(row) for row in self.values]
        if self.noisy_cells is not None:
            data["noisy_cells"] = [list(row) for row in self.noisy_cells]
        if self.intervals is not None:
            data["intervals"] = [
                [list(cell) if cell is not None else None for cell in row] for row in self.intervals
            ]
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
            intervals=tuple(
                tuple(tuple(cell) if cell is not None else None for cell in row)
                for row in data["intervals"]
            )
            if data.get("intervals") is not None
            else None,
            noise_scale=data.get("noise_scale"),
            noise_variance=data.get("noise_variance"),
            sensitivity=data.get("sensitivity"),
            noisy_cells=tuple(tuple(row) for row in data["noisy_cells"])
            if data.get("noisy_cells") is not None
            else None,
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
    rounding_context: tuple[str, ...] = (),
    shared_margins: bool = False,
    sensitive: frozenset[Position] = frozenset(),
    linked: Sequence[PublishedTable] = (),
    known_to: Sequence[Sequence[Sequence[int]]] = (),
) -> PublishedTable:
    """Apply disclosure control to `table` (see the module docstring).

    `rounding_context` (scope, period, population snapshot) keys the rounding coin with the
    template and cell; `shared_margins` says the column totals are the population's, shared
    by every one-way template of it; `sensitive` are cells to hide as if small; `linked`
    are the suppressed tables already released for the same people whose column totals
    this table shares: the audit (`linked.py`) checks every hidden figure against them;
    `known_to` are the extended grids each agency knows of this table (its own true counts):
    the audit also checks what each such reader can narrow the other agencies' people to."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    if mode == DIFFERENTIAL_PRIVACY:
        if epsilon is None:
            raise dp.PrivacyError("differential privacy needs an epsilon")
        return _protect_dp(table, k=k, epsilon=epsilon, sensitivity=sensitivity)
    if table.population == 0:
        return PublishedTable(
            template=table.template,
            mode=mode,
            row_codes=(),
            column_codes=table.column_codes,
            values=(),
            k=k,
            rounding_base=rounding_base,
            epsilon=None,
            hidden_cells=0,
            notes=(NOTE_NO_DATA,),
        )
    rows = [list(row) for row in table.counts]
    frozen: frozenset[Position] = frozenset()
    if shared_margins and len(rows) > 1:
        # The column totals (last grid row) are the population's: never secondary-hidden here.
        width = len(rows[0]) + (1 if len(rows[0]) > 1 else 0)
        frozen = frozenset((len(rows), c) for c in range(width))
    result = suppress(rows, k, protect_zeros=True, also_hide=sensitive, frozen=frozen)
    row_codes = table.row_codes + ((TOTAL,) if result.has_column_totals else ())
    column_codes = table.column_codes + ((TOTAL,) if result.has_row_totals else ())
    hidden = set(result.hidden)

    def rounded() -> list[tuple[int | None, ...]]:
        values: list[tuple[int | None, ...]] = []
        for r, grid_row in enumerate(result.grid):
            out: list[int | None] = []
            for c, value in enumerate(grid_row):
                if (r, c) in hidden:
                    out.append(None)
                    continue
                shared = shared_margins and row_codes[r] == TOTAL
                owner = "_population" if shared else table.template
                draw = coin(
                    rounding_key, owner, (row_codes[r], column_codes[c]), value, rounding_context
                )
                out.append(round_count(value, rounding_base, k, draw))
            values.append(tuple(out))
        return values

    values = rounded()
    earlier = [
        AuditTable(t.values, _inner(t.row_codes), _inner(t.column_codes), True)
        for t in (linked if shared_margins else ())
        if t.values
    ]
    inner_rows, inner_columns = len(table.row_codes), len(table.column_codes)
    while True:
        mine = AuditTable(values, inner_rows, inner_columns, shared_margins)
        narrow = narrow_figures([*earlier, mine], k, rounding_base)
        for own in known_to:
            reader = AuditTable(values, inner_rows, inner_columns, False, own)
            narrow |= {(len(earlier), p) for _, p in narrow_figures([reader], k, rounding_base)}
        more = _more_to_hide(result.grid, hidden, frozen, narrow, len(earlier))
        if not more:
            break
        hidden |= more
        values = rounded()
    notes = []
    if hidden:
        notes.append(NOTE_SUPPRESSED)
    notes.append(NOTE_ROUNDED)
    return PublishedTable(
        template=table.template,
        mode=mode,
        row_codes=row_codes,
        column_codes=column_codes,
        values=tuple(values),
        k=k,
        rounding_base=rounding_base,
        epsilon=None,
        hidden_cells=len(hidden),
        notes=tuple(notes),
    )


def _inner(codes: tuple[str, ...]) -> int:
    return len(codes) - (1 if codes and codes[-1] == TOTAL else 0)


def _more_to_hide(
    grid: list[list[int]],
    hidden: set[Position],
    frozen: frozenset[Position],
    narrow: set[tuple[int, Position]],
    mine: int,
) -> set[Position]:
    """For each narrow hidden figure, the cheapest published figure of this table to hide
    beside it: in its row or column (this table's), or in its column (an earlier table's,
    linked through the month totals). Nothing left to hide but frozen margins: every
    other figure (a table with only the population's totals published adds nothing)."""
    if not narrow:
        return set()
    rows, columns = len(grid), len(grid[0])
    total = grid[-1][-1] + 1
    published = [
        (r, c) for r in range(rows) for c in range(columns) if (r, c) not in hidden | frozen
    ]
    chosen: set[Position] = set()
    for index, (r, c) in sorted(narrow):
        near = [p for p in published if (p[1] == c or (index == mine and p[0] == r))]
        near = [p for p in near if p not in chosen]
        if near:
            chosen.add(min(near, key=lambda p: (grid[p[0]][p[1]] / total, p)))
    return chosen or set(published)


def _protect_dp(table: CountTable, *, k: int, epsilon: float, sensitivity: int) -> PublishedTable:
    """Noisy cells over the full grid (even an empty population gets noise: an exact
    "nothing" would be an exact statement), post-processed, margins summed, intervals."""
    width = len(table.column_codes)
    flat = [v for row in table.counts for v in row]
    noisy = dp.noisy_vector(flat, epsilon, sensitivity)
    columns = [dp.nonnegative_with_sum(noisy[c::width]) for c in range(width)]
    cells = [[columns[c][r] for c in range(width)] for r in range(len(table.row_codes))]
    scale = dp.noise_scale(epsilon, sensitivity)
    one = round(dp.accuracy(scale))
    row_totals = width > 1
    values: list[tuple[int, ...]] = []
    intervals: list[tuple[tuple[int, int], ...]] = []

    def interval(value: int, cells_summed: int) -> tuple[int, int]:
        half = one if cells_summed == 1 else round(dp.sum_accuracy(scale, cells_summed))
        return (max(0, value - half), value + half)

    for row in cells:
        out = [*row, sum(row)] if row_totals else list(row)
        values.append(tuple(out))
        intervals.append(
            tuple(
                interval(v, width if (row_totals and i == width) else 1) for i, v in enumerate(out)
            )
        )
    height = len(cells)
    if height > 1:
        totals = [sum(column) for column in zip(*values, strict=True)]
        values.append(tuple(totals))
        intervals.append(
            tuple(
                interval(v, height * (width if row_totals and i == width else 1))
                for i, v in enumerate(totals)
            )
        )
    row_codes = table.row_codes + ((TOTAL,) if height > 1 else ())
    column_codes = table.column_codes + ((TOTAL,) if row_totals else ())
    return PublishedTable(
        template=table.template,
        mode=DIFFERENTIAL_PRIVACY,
        row_codes=row_codes,
        column_codes=column_codes,
        values=tuple(values),
        k=k,
        rounding_base=None,
        epsilon=epsilon,
        hidden_cells=0,
        notes=(NOTE_DP,),
        intervals=tuple(intervals),
        noise_scale=scale,
        noise_variance=dp.variance(scale),
        sensitivity=sensitivity,
        noisy_cells=tuple(
            tuple(noisy[r * width : (r + 1) * width]) for r in range(len(table.row_codes))
        ),
    )
