"""The fixed report templates: coded fields only, counted by the database.

Each template is a table: rows are the codes of one coded field, columns the parts of the
period (months of a quarter, quarters of a year). A template belongs to a *unit* (what is
counted: cases, referrals, services or counselling sessions); the unit fixes the date that
places a row in a period and how a scope (agency, country, region) selects rows. There are
no free-text fields, no identifiers and no ad-hoc filters: nothing can be asked that would
isolate a person beyond what disclosure control then hides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, case, literal, select, true
from sqlalchemy.sql.expression import FromClause

from casework.agencies.models import Agency
from casework.cases.models import Case, CaseCode, TraffickingEvent
from casework.referrals.models import Referral, ReferralService
from casework.reports.request import AGENCY, COUNTRY, Period, ReportRequest
from casework.services.models import CounsellingSession, ServiceRecord
from casework.vocab import (
    AGE_BANDS,
    COUNTRY_CODES,
    EXPLOITATION_TYPES,
    GENDERS,
    IDENTIFICATION_CHANNELS,
    MODALITIES,
    REFERRAL_STATUSES,
    SERVICE_TYPES,
    country_name,
)

UNKNOWN = "_unknown"
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
        """Who a request counts: its scope and period."""
        return and_(self.in_scope(request), self.in_period(request.period))

    def period_part(self, period: Period) -> Expr:
        """The code of the column (part of the period) a row falls in."""
        parts = period.parts()
        if len(parts) == 1:
            return literal(parts[0].key)
        return case(*[(self.in_period(p), p.key) for p in parts], else_=literal(UNKNOWN))


def _uuid(value: str | None) -> Any:
    import uuid

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
    ),
    "referrals": Unit(
        "referrals",
        Referral.__table__,
        Referral.id,
        Referral.created_at,
        True,
        Referral.from_agency_id,
        Referral.from_country,
    ),
    "services": Unit(
        "services",
        ServiceRecord.__table__,
        ServiceRecord.id,
        ServiceRecord.start_on,
        False,
        ServiceRecord.provider_agency_id,
        None,
    ),
    "sessions": Unit(
        "sessions",
        CounsellingSession.__table__,
        CounsellingSession.id,
        CounsellingSession.held_on,
        False,
        _service_agency,
        None,
    ),
}


@dataclass(frozen=True)
class Template:
    """One fixed table. `row` gives the row code's expression and any join it needs;
    `sensitivity` is how many cells one counted unit can fall in (None: unbounded, so no
    differential-privacy release)."""

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


def _codes(vocabulary: Any) -> Callable[[], tuple[str, ...]]:
    return lambda: (*vocabulary.codes, UNKNOWN)


def _label(vocabulary: Any) -> Callable[[str], str]:
    return lambda code: str(_l("Not recorded")) if code == UNKNOWN else vocabulary.label(code)


def _country_label(code: str) -> str:
    return str(_l("Not recorded")) if code == UNKNOWN else country_name(code)


def _column(column: Expr) -> Callable[[], Any]:
    from sqlalchemy import func

    return lambda: (func.coalesce(column, UNKNOWN), None, None)


def _case_code(vocabulary: str) -> Callable[[], Any]:
    return lambda: (
        CaseCode.code,
        CaseCode.__table__,
        and_(CaseCode.case_id == Case.id, CaseCode.vocabulary == vocabulary),
    )


def _exploitation_country() -> Any:
    from sqlalchemy import func

    return (
        func.coalesce(TraffickingEvent.country, UNKNOWN),
        TraffickingEvent.__table__,
        and_(TraffickingEvent.case_id == Case.id, TraffickingEvent.kind == "exploitation"),
    )


def _referral_service() -> Any:
    return (
        ReferralService.service_type,
        ReferralService.__table__,
        ReferralService.referral_id == Referral.id,
    )


BORDER_LABELS = {"cross_border": _l("Cross-border"), "domestic": _l("Domestic")}


def _border() -> Any:
    return (
        case((Referral.from_country != Referral.to_country, "cross_border"), else_="domestic"),
        None,
        None,
    )


TEMPLATES: dict[str, Template] = {
    t.code: t
    for t in [
        Template(
            "victims_by_citizenship",
            _l("Victims identified, by citizenship"),
            _l("Citizenship"),
            "cases",
            lambda: (*COUNTRY_CODES, UNKNOWN),
            _country_label,
            _column(Case.citizenship),
        ),
        Template(
            "victims_by_exploitation_country",
            _l("Victims identified, by country of exploitation"),
            _l("Country of exploitation"),
            "cases",
            lambda: (*COUNTRY_CODES, UNKNOWN),
            _country_label,
            _exploitation_country,
            sensitivity=None,  # one person, any number of places
            distinct=True,
        ),
        Template(
            "victims_by_exploitation_type",
            _l("Victims identified, by type of exploitation"),
            _l("Type of exploitation"),
            "cases",
            lambda: EXPLOITATION_TYPES.codes,
            EXPLOITATION_TYPES.label,
            _case_code("exploitation_type"),
            sensitivity=len(EXPLOITATION_TYPES.codes),
            distinct=True,
        ),
        Template(
            "victims_by_gender",
            _l("Victims identified, by gender"),
            _l("Gender"),
            "cases",
            _codes(GENDERS),
            _label(GENDERS),
            _column(Case.gender),
        ),
        Template(
            "victims_by_age_band",
            _l("Victims identified, by age band (CTDC)"),
            _l("Age band"),
            "cases",
            _codes(AGE_BANDS),
            _label(AGE_BANDS),
            _column(Case.age_band),
        ),
        Template(
            "victims_by_identification_channel",
            _l("Victims identified, by identification channel"),
            _l("Identification channel"),
            "cases",
            _codes(IDENTIFICATION_CHANNELS),
            _label(IDENTIFICATION_CHANNELS),
            _column(Case.identification_channel),
        ),
        Template(
            "referrals_by_status",
            _l("Referrals made, by outcome"),
            _l("Outcome"),
            "referrals",
            lambda: REFERRAL_STATUSES.codes,
            REFERRAL_STATUSES.label,
            _column(Referral.status),
            sensitivity=None,  # one person can be referred any number of times
        ),
        Template(
            "referrals_by_service_type",
            _l("Referrals made, by service type"),
            _l("Service type"),
            "referrals",
            lambda: SERVICE_TYPES.codes,
            SERVICE_TYPES.label,
            _referral_service,
            sensitivity=None,
            distinct=True,
        ),
        Template(
            "referrals_by_border",
            _l("Referrals made, cross-border or domestic"),
            _l("Referral"),
            "referrals",
            lambda: tuple(BORDER_LABELS),
            lambda code: str(BORDER_LABELS.get(code, code)),
            _border,
            sensitivity=None,
        ),
        Template(
            "services_by_type",
            _l("Services provided, by type"),
            _l("Service type"),
            "services",
            lambda: SERVICE_TYPES.codes,
            SERVICE_TYPES.label,
            _column(ServiceRecord.service_type),
            sensitivity=None,
        ),
        Template(
            "services_completed_by_type",
            _l("Services completed, by type"),
            _l("Service type"),
            "services",
            lambda: SERVICE_TYPES.codes,
            SERVICE_TYPES.label,
            _column(ServiceRecord.service_type),
            sensitivity=None,
            extra=lambda: ServiceRecord.status == "completed",
        ),
        Template(
            "counselling_sessions_by_modality",
            _l("Counselling sessions, by modality"),
            _l("Modality"),
            "sessions",
            lambda: MODALITIES.codes,
            MODALITIES.label,
            _column(CounsellingSession.modality),
            sensitivity=None,
        ),
    ]
}

# The report a coordinator sends each quarter; a supervisor's agency report is the same set.
QUARTERLY_REPORT = tuple(TEMPLATES)
DASHBOARD_TEMPLATES = (
    "victims_by_citizenship",
    "victims_by_exploitation_type",
    "victims_by_gender",
    "victims_by_age_band",
    "referrals_by_status",
    "services_by_type",
)
