"""An independent attacker for the suppression tests: integer programming with HiGHS.

Given what a table publishes (every visible cell and margin, exactly, before rounding, which
is the strongest position an attacker can be in), it finds the smallest and largest value
each hidden cell can take, over non-negative integers that satisfy every row and column sum.
"""

from __future__ import annotations

from collections.abc import Sequence

import highspy


def hidden_ranges(
    grid: Sequence[Sequence[int]],
    hidden: set[tuple[int, int]] | frozenset[tuple[int, int]],
    has_row_totals: bool,
    has_column_totals: bool,
) -> dict[tuple[int, int], tuple[int, int]]:
    rows, cols = len(grid), len(grid[0])
    inner_rows = rows - 1 if has_column_totals else rows
    inner_cols = cols - 1 if has_row_totals else cols
    equations: list[list[tuple[int, int]]] = []  # cells that sum to the last one listed
    if has_row_totals:
        for r in range(rows):
            equations.append([(r, c) for c in range(inner_cols)] + [(r, inner_cols)])
    if has_column_totals:
        for c in range(cols):
            equations.append([(r, c) for r in range(inner_rows)] + [(inner_rows, c)])
    ranges = {}
    for target in sorted(hidden):
        bounds = []
        for sense in ("min", "max"):
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            variables = {cell: h.addIntegral(lb=0, ub=10**6) for cell in sorted(hidden)}
            for equation in equations:
                *parts, total = equation
                expr = 0
                constant = 0
                for cell in parts:
                    if cell in variables:
                        expr = expr + variables[cell]
                    else:
                        constant += grid[cell[0]][cell[1]]
                if total in variables:
                    expr = expr - variables[total]
                else:
                    constant -= grid[total[0]][total[1]]
                if isinstance(expr, int):
                    assert constant == 0
                    continue
                h.addConstr(expr == -constant)
            if sense == "min":
                h.minimize(variables[target])
            else:
                h.maximize(variables[target])
            assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
            bounds.append(round(h.getSolution().col_value[list(variables).index(target)]))
        ranges[target] = (bounds[0], bounds[1])
    return ranges
