"""An attacker that solves for hidden cells with every released table of a population at
once: integer programming on HiGHS, independent of the application's suppression code.

The attacker knows, for each table of the same people (one row code per person in every
table, months as columns), each published figure as a range: a figure randomly rounded to
base b from a true count of at least k (smaller counts are never published) lies in
[max(k, p - b + 1), p + b - 1]. Hidden figures are unknown; every cell is a non-negative
integer; the column totals of every table are the same people (the month's population).
It then finds the smallest and largest value of every hidden figure of every table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import highspy

Position = tuple[int, int]


@dataclass(frozen=True)
class Released:
    """One published table: the extended grid (margins last) with None where hidden."""

    name: str
    values: Sequence[Sequence[int | None]]
    rows: int  # inner rows
    columns: int  # inner columns (months)


def _bounds(published: int, k: int, base: int) -> tuple[int, int]:
    if published == 0:
        return 0, 0
    return max(k, published - base + 1), published + base - 1


def hidden_intervals(
    tables: Sequence[Released], k: int, base: int
) -> dict[tuple[str, Position], tuple[int, int]]:
    """(table, position of a hidden figure) -> (lowest, highest) value it can take."""
    columns = tables[0].columns
    targets: list[tuple[str, Position]] = []
    for table in tables:
        for r, row in enumerate(table.values):
            for c, value in enumerate(row):
                if value is None:
                    targets.append((table.name, (r, c)))
    result = {}
    for target in targets:
        bounds = []
        for sense in ("min", "max"):
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            h.setOptionValue("mip_rel_gap", 0.0)
            month = [h.addIntegral(lb=0, ub=10**6) for _ in range(columns)]
            objective = None
            for table in tables:
                cells = [
                    [h.addIntegral(lb=0, ub=10**6) for _ in range(table.columns)]
                    for _ in range(table.rows)
                ]
                figures: dict[Position, object] = {}
                for r in range(table.rows):
                    for c in range(table.columns):
                        figures[(r, c)] = cells[r][c]
                    if table.columns > 1:
                        figures[(r, table.columns)] = sum(cells[r][1:], cells[r][0])
                for c in range(table.columns):
                    h.addConstr(
                        sum((cells[r][c] for r in range(1, table.rows)), cells[0][c]) == month[c]
                    )
                    if table.rows > 1:
                        figures[(table.rows, c)] = month[c]
                if table.rows > 1 and table.columns > 1:
                    figures[(table.rows, table.columns)] = sum(month[1:], month[0])
                for position, expression in figures.items():
                    value = table.values[position[0]][position[1]]
                    if value is not None:
                        low, high = _bounds(value, k, base)
                        h.addConstr(expression >= low)
                        h.addConstr(expression <= high)
                    if (table.name, position) == target:
                        objective = expression
            assert objective is not None
            if sense == "min":
                h.minimize(objective)
            else:
                h.maximize(objective)
            assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal, target
            bounds.append(round(h.getInfo().objective_function_value))
        result[target] = (bounds[0], bounds[1])
    return result


def others_intervals(
    published: Sequence[Sequence[int | None]],
    own: Sequence[Sequence[int]],
    k: int,
    base: int,
) -> dict[Position, tuple[int, int]]:
    """A supervisor who knows their own agency's true counts (`own`, the extended grid) reads
    a country's table (`published`, the extended grid): for every figure, the least and most
    people the *other* agencies can have there."""
    rows, columns = len(own) - 1, len(own[0]) - 1
    result = {}
    for target_r in range(rows + 1):
        for target_c in range(columns + 1):
            bounds = []
            for sense in ("min", "max"):
                h = highspy.Highs()
                h.setOptionValue("output_flag", False)
                others = [
                    [h.addIntegral(lb=0, ub=10**6) for _ in range(columns)] for _ in range(rows)
                ]

                def figure(r: int, c: int, others: list[list[object]] = others) -> object:
                    cells = [
                        others[i][j]
                        for i in (range(rows) if r == rows else (r,))
                        for j in (range(columns) if c == columns else (c,))
                    ]
                    return sum(cells[1:], cells[0])

                for r in range(rows + 1):
                    for c in range(columns + 1):
                        value = published[r][c]
                        if value is None:
                            continue
                        low, high = _bounds(value, k, base)
                        h.addConstr(figure(r, c) >= low - own[r][c])
                        h.addConstr(figure(r, c) <= high - own[r][c])
                target = figure(target_r, target_c)
                if sense == "min":
                    h.minimize(target)
                else:
                    h.maximize(target)
                assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
                bounds.append(round(h.getInfo().objective_function_value))
            result[(target_r, target_c)] = (bounds[0], bounds[1])
    return result
