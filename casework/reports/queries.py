"""The report queries: one GROUP BY per table, one aggregate per differencing check.

Nothing here loads a row: the database counts, and only (row code, column code, count)
triples come back; for a median table, (row code, column code, median, people) per cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.expression import Subquery

from casework.core.extensions import db
from casework.reports.disclosure import TOTAL, CountTable, MedianTable
from casework.reports.request import ReportRequest
from casework.reports.templates import TEMPLATES, UNITS, UNKNOWN, Template


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


def median_statement(request: ReportRequest) -> Select[Any]:
    """The median days and the number of people measured, per cell and margin.

    Each unit's days are measured once (a CTE), repeated into the four groupings (cell, row
    margin, column margin, grand total), numbered in order within each group by ROW_NUMBER
    and counted by COUNT OVER; the middle row (odd count) or the average of the middle two
    (even count) is the median, the same figure as PostgreSQL's percentile_cont(0.5). Window
    functions exist on both PostgreSQL and SQLite (which has no percentile function), and only
    one row per group comes back."""
    return grouped_medians(median_groups(request))


def median_groups(request: ReportRequest) -> Subquery:
    """(row_code, column_code, days) for each unit measured, once per grouping it is in."""
    template = TEMPLATES[request.template]
    if template.duration is None:
        raise ValueError(f"{request.template} is not a median template")
    unit = UNITS[template.unit]
    row_expr, row_join, row_on = template.row()
    days, days_join, days_on = template.duration()
    codes = template.row_codes()
    row_code = case((row_expr.in_(codes), row_expr), else_=UNKNOWN).label("row_code")
    measured = select(
        row_code, unit.period_part(request.period).label("column_code"), days.label("days")
    ).select_from(unit.table)
    for table, on in ((row_join, row_on), (days_join, days_on)):
        if table is not None and on is not None:
            measured = measured.join(table, on)
    base = measured.where(population(request), days.is_not(None)).cte("measured")
    # A constant rather than a parameter, so both branches of the UNION are text.
    total: ColumnElement[str] = literal_column(f"'{TOTAL}'")
    return union_all(
        select(base.c.row_code, base.c.column_code, base.c.days),
        select(base.c.row_code, total, base.c.days),
        select(total, base.c.column_code, base.c.days),
        select(total, total, base.c.days),
    ).subquery("groups")


def grouped_medians(groups: Subquery) -> Select[Any]:
    """(row_code, column_code, median, people) for each group of `groups`' rows (columns
    row_code, column_code, days): one row per group, whatever the group's size."""
    group = (groups.c.row_code, groups.c.column_code)
    ranked = select(
        *group,
        groups.c.days,
        func.row_number().over(partition_by=group, order_by=groups.c.days).label("rank"),
        func.count().over(partition_by=group).label("people"),
    ).subquery("ranked")
    # The middle ranks: 2 * rank in [n, n + 2] is rank (n+1)/2 for odd n, n/2 and n/2+1 for
    # even n, without integer division (which the dialects spell differently).
    return (
        select(
            ranked.c.row_code,
            ranked.c.column_code,
            func.avg(ranked.c.days).label("median"),
            func.max(ranked.c.people).label("people"),
        )
        .where(2 * ranked.c.rank >= ranked.c.people, 2 * ranked.c.rank <= ranked.c.people + 2)
        .group_by(ranked.c.row_code, ranked.c.column_code)
    )


def median_table(request: ReportRequest) -> MedianTable:
    """The true medians of `request`: {(row, column): (median days, people)}, margins
    included under TOTAL."""
    template = TEMPLATES[request.template]
    cells = {
        (str(r), str(c)): (float(median), int(people))
        for r, c, median, people in db.session.execute(median_statement(request)).all()
    }
    return MedianTable(
        template=request.template,
        row_codes=template.row_codes(),
        column_codes=tuple(p.key for p in request.period.parts()),
        cells=cells,
    )
