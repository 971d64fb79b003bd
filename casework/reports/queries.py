"""The report queries: one GROUP BY per table, one aggregate per differencing check.

Nothing here loads a row: the database counts, and only (row code, column code, count)
triples come back; for a median table, (row code, column code, median, people) per cell.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.sql.expression import Subquery

from casework.core.extensions import db
from casework.reports.disclosure import TOTAL, CountTable, MedianTable
from casework.reports.request import AGENCY, ReportRequest
from casework.reports.suppression import Position, extend
from casework.reports.templates import TEMPLATES, UNITS, UNKNOWN, Template, Unit


def population(request: ReportRequest) -> ColumnElement[bool]:
    """Who `request` counts, as a condition on its unit's table."""
    template = TEMPLATES[request.template]
    condition = UNITS[template.unit].population(request)
    if template.extra is not None:
        condition = and_(condition, template.extra())
    return condition


def _coded(request: ReportRequest, *columns: Any) -> Select[Any]:
    """SELECT `columns`, row code, column code FROM the unit with the template's joins,
    WHERE the request's population: the rows every count of the table is made of."""
    template = TEMPLATES[request.template]
    unit = UNITS[template.unit]
    row_expr, row_join, row_on = template.row()
    if template.column is not None:
        column_expr, column_join, column_on = template.column()
    else:
        column_expr, column_join, column_on = unit.period_part(request.period), None, None
    statement = select(
        *columns, row_expr.label("row_code"), column_expr.label("column_code")
    ).select_from(unit.table)
    for table, on in ((row_join, row_on), (column_join, column_on)):
        if table is not None and on is not None:
            statement = statement.join(table, on, isouter=template.outer)
    return statement.where(population(request))


def _person(unit: Unit) -> Any:
    """The person a unit's row is about: its case (one person per case)."""
    if unit.case_column is None:
        raise ValueError(f"{unit.name} rows belong to no case")
    return unit.case_column


def _one_cell_per_person(template: Template) -> bool:
    """A table of cases with a one-valued code and period columns: each case (person) is in
    exactly one cell, so the person-level count is the plain count."""
    return (
        template.unit in ("cases", "cases_served")
        and template.row()[1] is None
        and template.column is None
    )


def count_statement(request: ReportRequest) -> Select[Any]:
    """SELECT row code, column code, count ... GROUP BY both: the table's true counts."""
    template = TEMPLATES[request.template]
    unit = UNITS[template.unit]
    if template.counts_people:
        counted = func.count(_person(unit).distinct())
    elif template.distinct:
        counted = func.count(unit.id_column.distinct())
    else:
        counted = func.count()
    coded = _coded(request)
    row_code, column_code = coded.selected_columns.row_code, coded.selected_columns.column_code
    return coded.add_columns(counted).group_by(row_code, column_code)


def person_count_statement(request: ReportRequest, bound: int) -> Select[Any]:
    """The table counted in people, each person in at most `bound` cells (the first ones
    in code order) and at most once per cell: the counts differential privacy protects,
    whose L1 sensitivity to one person is `bound`."""
    unit = UNITS[TEMPLATES[request.template].unit]
    cells = _coded(request, _person(unit).label("person")).distinct().subquery("cells")
    ranked = select(
        cells.c.row_code,
        cells.c.column_code,
        func.row_number()
        .over(partition_by=cells.c.person, order_by=(cells.c.row_code, cells.c.column_code))
        .label("rank"),
    ).subquery("ranked")
    return (
        select(ranked.c.row_code, ranked.c.column_code, func.count())
        .where(ranked.c.rank <= bound)
        .group_by(ranked.c.row_code, ranked.c.column_code)
    )


def column_codes_of(request: ReportRequest) -> tuple[str, ...]:
    template = TEMPLATES[request.template]
    if template.column_codes is not None:
        return template.column_codes()
    return tuple(p.key for p in request.period.parts())


def count_table(request: ReportRequest, people_bound: int | None = None) -> CountTable:
    """The true counts of `request` as a full grid of the template's codes; counted in
    people, each in at most `people_bound` cells, when it is given."""
    template: Template = TEMPLATES[request.template]
    row_codes = template.row_codes()
    column_codes = column_codes_of(request)
    plain = people_bound is None or _one_cell_per_person(template)
    statement = (
        count_statement(request) if plain else person_count_statement(request, people_bound or 1)
    )
    counts = {(r, c): n for r, c, n in db.session.execute(statement).all()}
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


Grid = list[list[int]]


def dominated_cells(request: ReportRequest, k: int) -> frozenset[Position]:
    """Cells of a country or region table (margins included) where the people of all
    agencies but one number 1 to k-1: that agency's supervisor, who knows their own
    agency's figures, would learn the others' few people by subtraction. Hidden like small
    counts."""
    return counts_and_dominated_cells(request, k)[1]


def counts_and_dominated_cells(
    request: ReportRequest, k: int
) -> tuple[CountTable, frozenset[Position], tuple[Grid, ...]]:
    """The true counts of a table, its dominated cells (see `dominated_cells`) and each
    agency's own extended grid (what its supervisor knows), from one GROUP BY per agency:
    the database counts, no row is loaded."""
    if request.scope.kind == AGENCY:
        return count_table(request), frozenset(), ()
    template = TEMPLATES[request.template]
    unit = UNITS[template.unit]
    agency = unit.agency_column.label("agency")
    statement = count_statement(request).add_columns(agency).group_by(agency)
    row_codes, column_codes = template.row_codes(), column_codes_of(request)
    rows = {c: i for i, c in enumerate(row_codes)}
    columns = {c: j for j, c in enumerate(column_codes)}
    by_agency: dict[Any, list[list[int]]] = {}
    for r, c, n, owner in db.session.execute(statement).all():
        grid = by_agency.setdefault(owner, [[0] * len(column_codes) for _ in row_codes])
        grid[rows.get(r, len(row_codes) - 1)][columns.get(c, len(column_codes) - 1)] += int(n)
    total = [
        [sum(g[i][j] for g in by_agency.values()) for j in range(len(column_codes))]
        for i in range(len(row_codes))
    ]
    table = CountTable(
        template=request.template,
        row_codes=row_codes,
        column_codes=column_codes,
        counts=tuple(tuple(row) for row in total),
    )
    if len(by_agency) < 2:
        return table, frozenset(), ()
    extended_total = extend(total)[0]
    found: set[Position] = set()
    owns = tuple(extend(grid)[0] for grid in by_agency.values())
    for own in owns:
        for i, row in enumerate(extended_total):
            for j, value in enumerate(row):
                rest = value - own[i][j]
                if own[i][j] > 0 and 0 < rest < k:
                    found.add((i, j))
    return table, frozenset(found), owns


def population_snapshot(request: ReportRequest) -> tuple[int, str]:
    """(units counted, fingerprint of the population as it is now): the count and the
    latest change of any counted record, so any addition, removal or change of one person
    gives another fingerprint. Names nobody; the ledger keys its rounding by it."""
    unit = UNITS[TEMPLATES[request.template].unit]
    updated = unit.table.c.updated_at
    size, latest = db.session.execute(
        select(func.count(unit.id_column.distinct()), func.max(updated))
        .select_from(unit.table)
        .where(population(request))
    ).one()
    return int(size), f"{int(size)}:{latest}"


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
