"""The fixed report templates: coded fields only, counted by the database.

Each template is a table: rows are the codes of one coded field, columns the parts of the
period (months of a quarter, quarters of a year). Each belongs to a unit (see
`definitions.py`). There are no free-text fields, no identifiers and no ad-hoc filters:
nothing can be asked that would isolate a person beyond what disclosure control then hides.
Count templates are here; the median templates are in `medians.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func

from casework.cases.models import Case, CaseCode, TraffickingEvent
from casework.domain import ServiceStatus
from casework.referrals.models import Referral, ReferralService
from casework.reports.definitions import (
    COUNT,
    MEDIAN,
    UNITS,
    UNKNOWN,
    Expr,
    Template,
    Unit,
    country_label,
)
from casework.reports.medians import MEDIAN_TEMPLATES
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
)

__all__ = ["COUNT", "MEDIAN", "TEMPLATES", "UNITS", "UNKNOWN", "Expr", "Template", "Unit"]


def _codes(vocabulary: Any) -> Callable[[], tuple[str, ...]]:
    return lambda: (*vocabulary.codes, UNKNOWN)


def _label(vocabulary: Any) -> Callable[[str], str]:
    return lambda code: str(_l("Not recorded")) if code == UNKNOWN else vocabulary.label(code)


def _column(column: Expr) -> Callable[[], Any]:
    return lambda: (func.coalesce(column, UNKNOWN), None, None)


def _case_code(vocabulary: str) -> Callable[[], Any]:
    return lambda: (
        CaseCode.code,
        CaseCode.__table__,
        and_(CaseCode.case_id == Case.id, CaseCode.vocabulary == vocabulary),
    )


def _exploitation_country() -> Any:
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
            country_label,
            _column(Case.citizenship),
        ),
        Template(
            "victims_by_exploitation_country",
            _l("Victims identified, by country of exploitation"),
            _l("Country of exploitation"),
            "cases",
            lambda: (*COUNTRY_CODES, UNKNOWN),
            country_label,
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
            extra=lambda: ServiceRecord.status == ServiceStatus.COMPLETED,
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
        *MEDIAN_TEMPLATES,
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
