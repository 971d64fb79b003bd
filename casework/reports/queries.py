"""The report queries: one GROUP BY per table, one aggregate per differencing check.

Nothing here loads a row: the database counts, and only (row code, column code, count)
triples come back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select

from casework.extensions import db
from casework.reports.disclosure import CountTable
from casework.reports.request import ReportRequest
from casework.reports.templates import TEMPLATES, UNITS, Template


def population(request: ReportRequest) -> ColumnElement[bool]:
    """Who `request` counts, as a condition on its unit's table."""
    template = TEMPLATES[request.template]
    condition = UNITS[template.unit].population(request)
    if template.extra is not None:
        condition = and_(condition, template.extra())
    return condition


def count_statement(request: ReportRequest) -> Select[Any]:
    """SELECT row code, column code, count ... GROUP BY both: the table's true counts."""
    template = TEMPLATES[request.template]
    unit = UNITS[template.unit]
    row_expr, join_table, join_on = template.row()
    row_code = row_expr.label("row_code")
    column_code = unit.period_part(request.period).label("column_code")
    counted = func.count(unit.id_column.distinct()) if template.distinct else func.count()
    statement = select(row_code, column_code, counted).select_from(unit.table)
    if join_table is not None and join_on is not None:
        statement = statement.join(join_table, join_on)
    return statement.where(population(request)).group_by(row_code, column_code)


def count_table(request: ReportRequest) -> CountTable:
    """The true counts of `request` as a full grid of the template's codes."""
    template: Template = TEMPLATES[request.template]
    row_codes = template.row_codes()
    column_codes = tuple(p.key for p in request.period.parts())
    counts = {(r, c): n for r, c, n in db.session.execute(count_statement(request)).all()}
    # Codes outside the vocabulary (legacy data) are counted under "not recorded", never lost.
    known_rows, known_columns = set(row_codes), set(column_codes)
    grid: dict[tuple[str, str], int] = {}
    for (r, c), n in counts.items():
        key = (
            r if r in known_rows else row_codes[-1],
            c if c in known_columns else column_codes[-1],
        )
        grid[key] = grid.get(key, 0) + int(n)
    return CountTable(
        template=request.template,
        row_codes=row_codes,
        column_codes=column_codes,
        counts=tuple(tuple(grid.get((r, c), 0) for c in column_codes) for r in row_codes),
    )


def differences(new: ReportRequest, earlier: Sequence[ReportRequest]) -> list[tuple[int, int]]:
    """For each earlier request of the same unit: (units in both, units in only one), counted
    by the database in one pass."""
    if not earlier:
        return []
    unit = UNITS[TEMPLATES[new.template].unit]
    mine = population(new)
    theirs = [population(request) for request in earlier]
    columns = []
    for other in theirs:
        columns.append(func.coalesce(func.sum(case((and_(mine, other), 1), else_=0)), 0))
        columns.append(
            func.coalesce(
                func.sum(case((and_(mine, ~other), 1), (and_(other, ~mine), 1), else_=0)), 0
            )
        )
    row = db.session.execute(
        select(*columns).select_from(unit.table).where(or_(mine, *theirs))
    ).one()
    return [(int(row[2 * i]), int(row[2 * i + 1])) for i in range(len(earlier))]
