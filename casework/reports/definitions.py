"""What report templates are made of: the units they count and the `Template` type.

A template belongs to a *unit* (what is counted: cases, referrals, services or counselling
sessions, or the population a median is taken over); the unit fixes the date that places a
row in a period and how a scope (agency, country, region) selects rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, case, exists, func, literal, select, true
from sqlalchemy.sql.expression import FromClause

from casework.agencies.models import Agency
from casework.cases.models import Case, CaseCode, Consent
from casework.referrals.models import Referral
from casework.reports.request import AGENCY, COUNTRY, Period, ReportRequest
from casework.reports.settings import (
    CONSENTED,
    counting_rule,
    listed_countries,
    victim_statuses,
)
from casework.services.models import CounsellingSession, ServiceRecord
from casework.vocab import CITIZENSHIPS, country_name

COUNT, MEDIAN = "count", "median"
UNKNOWN = "_unknown"
OTHER = "_other"  # countries outside the deployment's list (REPORT_COUNTRIES)
Expr = Any  # a column or SQL expression (mapped attributes are typed apart)


@dataclass(frozen=True)
class Unit:
    """What a template counts, and how a request's scope and period select it."""

    name: str
    table: FromClause
    id_column: Expr
    date_column: Expr
    is_datetime: bool
    agency_column: Expr
    country_column: Expr | None  # None: through the agency's country
    case_column: Expr | None = None  # the case a row belongs to (statistics consent)
    victims: bool = False  # counts victims: only the trafficking statuses the setting names

    def in_period(self, period: Period) -> ColumnElement[bool]:
        start, end = period.start, period.end
        if self.is_datetime:
            low = datetime.combine(start, time.min, UTC)
            high = datetime.combine(end + timedelta(days=1), time.min, UTC)
            return and_(self.date_column >= low, self.date_column < high)
        return and_(self.date_column >= start, self.date_column <= end)

    def in_scope(self, request: ReportRequest) -> ColumnElement[bool]:
        scope = request.scope
        if scope.kind == AGENCY:
            return and_(self.agency_column == _uuid(scope.value))
        if scope.kind == COUNTRY:
            if self.country_column is not None:
                return and_(self.country_column == scope.value)
            agencies = select(Agency.id).where(Agency.country == scope.value)
            return and_(self.agency_column.in_(agencies.scalar_subquery()))
        return true()

    def population(self, request: ReportRequest) -> ColumnElement[bool]:
        """Who a request counts: its scope and period, only people the counting rule counts
        (REPORT_COUNTING_RULE), and for victims' tables only the trafficking statuses the
        deployment counts (REPORT_VICTIM_STATUSES)."""
        condition = and_(self.in_scope(request), self.in_period(request.period))
        if self.case_column is not None:
            condition = and_(condition, counted_person(self.case_column))
        if self.victims:
            condition = and_(condition, Case.trafficking_status.in_(victim_statuses()))
        return condition

    def period_part(self, period: Period) -> Expr:
        """The code of the column (part of the period) a row falls in."""
        parts = period.parts()
        if len(parts) == 1:
            return literal(parts[0].key)
        return case(*[(self.in_period(p), p.key) for p in parts], else_=literal(UNKNOWN))


def opted_out_of_statistics(case_id: Expr) -> ColumnElement[bool]:
    """The case's person withdrew consent to statistics and has no current one."""
    withdrawn = exists().where(
        Consent.case_id == case_id,
        Consent.purpose == "statistics",
        Consent.withdrawn_at.is_not(None),
    )
    current = exists().where(
        Consent.case_id == case_id,
        Consent.purpose == "statistics",
        Consent.withdrawn_at.is_(None),
    )
    return and_(withdrawn, ~current)


def consented_to_statistics(case_id: Expr) -> ColumnElement[bool]:
    """The case's person has a current (not withdrawn) consent to anonymised statistics."""
    return exists().where(
        Consent.case_id == case_id,
        Consent.purpose == "statistics",
        Consent.withdrawn_at.is_(None),
    )


def counted_person(case_id: Expr) -> ColumnElement[bool]:
    """The deployment's counting rule: only people who consented (default), or everyone
    but those who withdrew their consent."""
    if counting_rule() == CONSENTED:
        return consented_to_statistics(case_id)
    return ~opted_out_of_statistics(case_id)


def country_label(code: str) -> str:
    if code == UNKNOWN:
        return str(_l("Not recorded"))
    if code == OTHER:
        return str(_l("Other countries"))
    return country_name(code)


def country_codes() -> tuple[str, ...]:
    """The rows of a table over countries: the listed ones, the rest, not recorded."""
    return (*listed_countries(), OTHER, UNKNOWN)


def first_citizenship() -> Expr:
    """The citizenship a case is counted under: a person may have several (HTCDS, CaseCode
    rows), the tables count each person once, under the first in code order (decision 0098);
    NULL when none is recorded."""
    return (
        select(func.min(CaseCode.code))
        .where(CaseCode.case_id == Case.id, CaseCode.vocabulary == CITIZENSHIPS.name)
        .scalar_subquery()
    )


def country_code(column: Expr) -> Expr:
    """A country column as one of `country_codes()`."""
    return case(
        (column.is_(None), UNKNOWN),
        (column.in_(listed_countries()), column),
        else_=OTHER,
    )


def _uuid(value: str | None) -> Any:
    return uuid.UUID(str(value))


_service_agency = (
    select(ServiceRecord.provider_agency_id)
    .where(ServiceRecord.id == CounsellingSession.service_id)
    .scalar_subquery()
)

UNITS = {
    "cases": Unit(
        "cases",
        Case.__table__,
        Case.id,
        Case.identified_on,
        False,
        Case.agency_id,
        None,
        Case.id,
        victims=True,
    ),
    "referrals": Unit(
        "referrals",
        Referral.__table__,
        Referral.id,
        Referral.created_at,
        True,
        Referral.from_agency_id,
        Referral.from_country,
        Referral.case_id,
    ),
    "services": Unit(
        "services",
        ServiceRecord.__table__,
        ServiceRecord.id,
        ServiceRecord.start_on,
        False,
        ServiceRecord.provider_agency_id,
        None,
        ServiceRecord.case_id,
    ),
    "sessions": Unit(
        "sessions",
        CounsellingSession.__table__,
        CounsellingSession.id,
        CounsellingSession.held_on,
        False,
        _service_agency,
        None,
        CounsellingSession.case_id,
    ),
    # The populations of the median tables: kept apart from the count tables' units, so the
    # ledger compares a median only with medians of the same measure (a median publishes no
    # count, so subtracting it from a count table shows nothing).
    "cases_served": Unit(
        "cases_served",
        Case.__table__,
        Case.id,
        Case.identified_on,
        False,
        Case.agency_id,
        None,
        Case.id,
        victims=True,
    ),
    "referrals_answered": Unit(
        "referrals_answered",
        Referral.__table__,
        Referral.id,
        Referral.created_at,
        True,
        Referral.from_agency_id,
        Referral.from_country,
        Referral.case_id,
    ),
}


Join = tuple[Expr, FromClause | None, ColumnElement[bool] | None]


@dataclass(frozen=True)
class Template:
    """One fixed table. `row` gives the row code's expression and any join it needs; a
    two-way table also has `column` (columns are its codes and the table covers the whole
    period), otherwise the columns are the parts of the period.

    `sensitivity` is how many cells one *person* may fall in when the table is released with
    differential privacy: the person-level count (`queries.person_count_statement`) keeps at
    most that many cells per person, so adding or removing a person changes the cells by at
    most `sensitivity` in total (L1). None: not offered with differential privacy."""

    code: str
    title: Any  # lazy string
    row_heading: Any
    unit: str
    row_codes: Callable[[], tuple[str, ...]]
    row_label: Callable[[str], str]
    row: Callable[[], tuple[Expr, FromClause | None, ColumnElement[bool] | None]]
    sensitivity: int | None = 1
    distinct: bool = False  # count distinct units (a join can repeat one)
    extra: Callable[[], ColumnElement[bool]] | None = None
    # A median table: `duration` gives the days measured per unit (and any join it needs),
    # and each cell is the median of those days instead of a count.
    statistic: str = COUNT
    duration: Callable[[], tuple[Expr, FromClause | None, ColumnElement[bool] | None]] | None = None
    description: Any = None  # lazy string: what a median table measures, shown in its note
    column: Callable[[], Join] | None = None
    column_codes: Callable[[], tuple[str, ...]] | None = None
    column_label: Callable[[str], str] | None = None
    column_heading: Any = None  # lazy string
    outer: bool = False  # keep units the join finds nothing for ("not recorded")
    counts_people: bool = False  # the standard table counts people, not records
    unit_label: Any = None  # lazy string: what one counted unit is, for the note
    ordinal: bool = False  # the rows have an order of their own (age): charts keep it

    @property
    def two_way(self) -> bool:
        return self.column is not None
