"""The median templates: days from identification to first service, and from referral to
answer, measured per person (or referral) and summarised by the database.

Days are a difference the database computes on either dialect (`days_between_dates`,
`days_between_times`); the median itself is taken in SQL by `queries.median_statement`
(ROW_NUMBER over the ordered days, the middle row or two per group). Disclosure control for
a median is in `disclosure.protect_medians`: a median of fewer than k people is hidden, and
every median is rounded to whole days.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, and_, case, exists, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from casework.agencies.models import Agency
from casework.cases.models import Case
from casework.domain import ReferralStatus, ServiceStatus
from casework.referrals.models import Referral
from casework.reports.definitions import MEDIAN, UNKNOWN, Expr, Template, country_label
from casework.services.models import ServiceRecord
from casework.vocab import COUNTRY_CODES, REFERRAL_STATUSES


class days_between_dates(FunctionElement[float]):
    """Whole days from one DATE to another (end - start), as a float."""

    type = Float()
    name = "days_between_dates"
    inherit_cache = True


class days_between_times(FunctionElement[float]):
    """Days, with fractions, from one UTC timestamp to another (end - start)."""

    type = Float()
    name = "days_between_times"
    inherit_cache = True


def _operands(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
    start, end = element.clauses
    return compiler.process(start, **kw), compiler.process(end, **kw)


@compiles(days_between_dates)
@compiles(days_between_times)
def _julian(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps dates and timestamps as ISO text; julianday() reads both.
    start, end = _operands(element, compiler, **kw)
    return f"(julianday({end}) - julianday({start}))"


@compiles(days_between_dates, "postgresql")
def _pg_dates(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    start, end = _operands(element, compiler, **kw)
    return f"CAST(({end}) - ({start}) AS DOUBLE PRECISION)"  # date - date: an integer


@compiles(days_between_times, "postgresql")
def _pg_times(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    # timestamptz - timestamptz is exact elapsed time (no time zone or daylight saving shift).
    start, end = _operands(element, compiler, **kw)
    return f"(CAST(EXTRACT(EPOCH FROM ({end}) - ({start})) AS DOUBLE PRECISION) / 86400.0)"


def _not_negative(days: Expr) -> Expr:
    """A start recorded before the event it follows counts as the same day."""
    return case((days < 0, 0.0), else_=days)


def _started() -> Any:
    """Services that have begun: a start date, and no longer only planned."""
    return and_(ServiceRecord.start_on.is_not(None), ServiceRecord.status != ServiceStatus.PLANNED)


def _served() -> Any:
    return exists(select(ServiceRecord.id).where(ServiceRecord.case_id == Case.id, _started()))


def _days_to_first_service() -> Any:
    first = (
        select(ServiceRecord.case_id, func.min(ServiceRecord.start_on).label("first_on"))
        .where(_started())
        .group_by(ServiceRecord.case_id)
        .subquery("first_service")
    )
    days = _not_negative(days_between_dates(Case.identified_on, first.c.first_on))
    return days, first, first.c.case_id == Case.id


def _agency_country() -> Any:
    return Agency.country, Agency.__table__, Agency.id == Case.agency_id


ANSWERS = (ReferralStatus.ACCEPTED.value, ReferralStatus.DECLINED.value)


def _answer() -> Any:
    # A referral accepted and later completed or revoked was still answered "accepted".
    return (
        case(
            (Referral.status == ReferralStatus.DECLINED, ReferralStatus.DECLINED.value),
            else_=ReferralStatus.ACCEPTED.value,
        ),
        None,
        None,
    )


def _days_to_answer() -> Any:
    return _not_negative(days_between_times(Referral.created_at, Referral.responded_at)), None, None


MEDIAN_TEMPLATES = (
    Template(
        "median_days_to_first_service",
        _l("Median days from identification to first service"),
        _l("Country of the identifying agency"),
        "cases_served",
        lambda: (*COUNTRY_CODES, UNKNOWN),
        country_label,
        _agency_country,
        sensitivity=None,
        extra=_served,
        statistic=MEDIAN,
        duration=_days_to_first_service,
        description=_l(
            "Victims identified in each month who have begun receiving a service: days from "
            "identification to the start of their first service. Victims not yet served are "
            "not included."
        ),
    ),
    Template(
        "median_days_referral_to_answer",
        _l("Median days from referral to answer"),
        _l("Answer"),
        "referrals_answered",
        lambda: ANSWERS,
        REFERRAL_STATUSES.label,
        _answer,
        sensitivity=None,
        extra=lambda: Referral.responded_at.is_not(None),
        statistic=MEDIAN,
        duration=_days_to_answer,
        description=_l(
            "Referrals made in each month that the receiving agency has answered: days from "
            "the referral to its acceptance or refusal. Unanswered referrals are not included."
        ),
    ),
)
