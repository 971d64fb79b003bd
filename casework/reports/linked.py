"""The audit of suppressed tables against every table already released for the same people.

Secondary suppression (`suppression.py`) protects one table against its own margins. The
tables of one population are also linked: every one-way table of people shares the month
totals, and published figures are rounded, not exact. So before a suppressed table is
published, this module does what an attacker would: it takes every figure of the new table
and of the tables already released for the same population as a range (a figure randomly
rounded to base b from a true count of at least k lies in [max(k, p-b+1), p+b-1]; a hidden
one is unknown), every cell a non-negative number, and bounds each hidden figure from below
and above with linear programming (HiGHS). A hidden figure the attacker can narrow to fewer
than k values (width below k-1) is a disclosure: the caller hides more and asks again.

Linear programming relaxes the integers, so its ranges contain the integer ones; the tests
check the published tables with an independent integer-programming attacker
(tests/reports/linked_oracle.py). Decision record: docs/decisions/0030.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np

Position = tuple[int, int]
INFINITE = highspy.kHighsInf


@dataclass(frozen=True)
class AuditTable:
    """A table as published: the extended grid (margins last, None where hidden), its
    inner size, and whether its column totals are the population's (shared)."""

    values: Sequence[Sequence[int | None]]
    rows: int
    columns: int
    shared: bool
    # What one reader already knows of each figure (a supervisor: their own agency's true
    # counts, extended grid): the audit then bounds the *rest* of each figure.
    known: Sequence[Sequence[int]] | None = None


def figure_range(published: int, k: int, base: int) -> tuple[float, float]:
    """Where the true count behind a published figure lies."""
    if published == 0:
        return 0.0, 0.0
    return float(max(k, published - base + 1)), float(published + base - 1)


class _Model:
    """Variables and constraints collected in Python, then handed to HiGHS in two calls
    (one per variable and row is what made the audit slow)."""

    def __init__(self) -> None:
        self.columns = 0
        self.bounds: list[tuple[float, float]] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.starts: list[int] = []
        self.indices: list[int] = []
        self.values: list[float] = []

    def variable(self, low: float = 0.0, high: float = INFINITE) -> int:
        self.bounds.append((low, high))
        self.columns += 1
        return self.columns - 1

    def constraint(self, terms: dict[int, float], low: float, high: float) -> None:
        self.starts.append(len(self.indices))
        self.lower.append(low)
        self.upper.append(high)
        for index, value in terms.items():
            self.indices.append(index)
            self.values.append(value)

    def build(self) -> highspy.Highs:
        highs = highspy.Highs()  # type: ignore[no-untyped-call]
        highs.setOptionValue("output_flag", False)
        highs.addVars(
            self.columns,
            np.array([b[0] for b in self.bounds], dtype=np.float64),
            np.array([b[1] for b in self.bounds], dtype=np.float64),
        )
        if self.starts:
            highs.addRows(
                len(self.starts),
                np.array(self.lower, dtype=np.float64),
                np.array(self.upper, dtype=np.float64),
                len(self.indices),
                np.array(self.starts, dtype=np.int32),
                np.array(self.indices, dtype=np.int32),
                np.array(self.values, dtype=np.float64),
            )
        return highs


def hidden_ranges(
    tables: Sequence[AuditTable], k: int, base: int
) -> dict[tuple[int, Position], tuple[float, float]]:
    """(table index, position) of every hidden figure -> the (lowest, highest) value an
    attacker with all `tables` can give it."""
    model = _Model()
    shared_months: list[int] = []
    targets: dict[tuple[int, Position], int] = {}
    for index, table in enumerate(tables):
        if table.shared:
            while len(shared_months) < table.columns:
                shared_months.append(model.variable())
            months = shared_months[: table.columns]
        else:
            months = [model.variable() for _ in range(table.columns)]
        cells = [[model.variable() for _ in range(table.columns)] for _ in range(table.rows)]
        for c in range(table.columns):
            terms = {cells[r][c]: 1.0 for r in range(table.rows)}
            terms[months[c]] = -1.0
            model.constraint(terms, 0.0, 0.0)
        figures: dict[Position, dict[int, float]] = {}
        for r in range(table.rows):
            for c in range(table.columns):
                figures[(r, c)] = {cells[r][c]: 1.0}
            if table.columns > 1:
                figures[(r, table.columns)] = {cells[r][c]: 1.0 for c in range(table.columns)}
        if table.rows > 1:
            for c in range(table.columns):
                figures[(table.rows, c)] = {months[c]: 1.0}
            if table.columns > 1:
                figures[(table.rows, table.columns)] = dict.fromkeys(months, 1.0)
        for position, terms in figures.items():
            value = table.values[position[0]][position[1]]
            if value is not None:
                low, high = figure_range(value, k, base)
                if table.known is not None:
                    own = table.known[position[0]][position[1]]
                    low, high = max(0.0, low - own), max(0.0, high - own)
                model.constraint(terms, low, high)
                continue
            target = model.variable(0.0, INFINITE)
            model.constraint({**terms, target: -1.0}, 0.0, 0.0)
            targets[(index, position)] = target
    ranges: dict[tuple[int, Position], tuple[float, float]] = {}
    if not targets:
        return ranges
    highs = model.build()
    for key, column in targets.items():
        bounds = []
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            highs.changeColCost(column, 1.0)
            highs.changeObjectiveSense(sense)
            highs.run()
            status = highs.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                bounds.append(float(highs.getInfo().objective_function_value))
            else:  # unbounded above: nothing limits the figure
                bounds.append(INFINITE if sense == highspy.ObjSense.kMaximize else 0.0)
            highs.changeColCost(column, 0.0)
        ranges[key] = (bounds[0], bounds[1])
    return ranges


def narrow_figures(tables: Sequence[AuditTable], k: int, base: int) -> set[tuple[int, Position]]:
    """The hidden figures an attacker can narrow to fewer than k values (for a table read
    with what one reader knows: the rest of a figure narrowed so, and not possibly none)."""
    narrow = set()
    for key, (low, high) in hidden_ranges(tables, k, base).items():
        if high - low >= k - 1 - 1e-6:
            continue
        if tables[key[0]].known is not None and low < 1 - 1e-6:
            continue
        narrow.add(key)
    return narrow
