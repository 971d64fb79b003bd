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
from sqlalchemy import and_, case, func, literal

from casework.cases.models import Case, CaseCode, TraffickingEvent
from casework.domain import ServiceStatus
from casework.referrals.models import Referral, ReferralService
from casework.reports.definitions import (
    COUNT,
    MEDIAN,
    OTHER,
    UNITS,
    UNKNOWN,
    Expr,
    Join,
    Template,
    Unit,
    country_code,
    country_codes,
    country_label,
    first_citizenship,
)
from casework.reports.medians import MEDIAN_TEMPLATES
from casework.services.models import CounsellingSession, ServiceRecord
from casework.vocab import (
    AGE_BANDS,
    CONTROL_METHODS,
    EXPLOITATION_EVENT,
    EXPLOITATION_TYPES,
    GENDERS,
    IDENTIFICATION_CHANNELS,
    ISIC_SECTIONS,
    MODALITIES,
    RECRUITMENT_METHODS,
    REFERRAL_STATUSES,
    SERVICE_TYPES,
    SEXUAL_EXPLOITATION_TYPES,
    TRAFFICKER_RELATIONSHIPS,
    band_bounds,
)

__all__ = [
    "COUNT",
    "MEDIAN",
    "OTHER",
    "TEMPLATES",
    "UNITS",
    "UNKNOWN",
    "Expr",
    "Template",
    "Unit",
]


def _codes(vocabulary: Any) -> Callable[[], tuple[str, ...]]:
    return lambda: (*vocabulary.codes, UNKNOWN)


def _label(vocabulary: Any) -> Callable[[str], str]:
    return lambda code: str(_l("Not recorded")) if code == UNKNOWN else vocabulary.label(code)


def _column(column: Expr) -> Callable[[], Join]:
    return lambda: (func.coalesce(column, UNKNOWN), None, None)


def _country(column: Expr) -> Callable[[], Join]:
    return lambda: (country_code(column), None, None)


def _case_code(vocabulary: str) -> Callable[[], Join]:
    """A multi-valued coded fact: one row per code a case holds; joined outer by templates
    that count a case without any under "not recorded"."""
    return lambda: (
        func.coalesce(CaseCode.code, UNKNOWN),
        CaseCode.__table__,
        and_(CaseCode.case_id == Case.id, CaseCode.vocabulary == vocabulary),
    )


def _exploitation_country() -> Join:
    return (
        country_code(TraffickingEvent.country),
        TraffickingEvent.__table__,
        and_(TraffickingEvent.case_id == Case.id, TraffickingEvent.kind == EXPLOITATION_EVENT),
    )


def _referral_service() -> Join:
    return (
        ReferralService.service_type,
        ReferralService.__table__,
        ReferralService.referral_id == Referral.id,
    )


BORDER_LABELS = {"cross_border": _l("Cross-border"), "domestic": _l("Domestic")}


def _border() -> Join:
    return (
        case((Referral.from_country != Referral.to_country, "cross_border"), else_="domestic"),
        None,
        None,
    )


# SDG indicator 16.2.2 (victims by sex, age and form of exploitation), as UNODC's Global
# Report groups them: sex and age groups built from the vocabularies' own codes.
SEX_GROUPS = {"female": _l("Female"), "male": _l("Male"), UNKNOWN: _l("Other or not recorded")}
AGE_GROUPS = {"child": _l("Child (under 18)"), "adult": _l("Adult"), UNKNOWN: _l("Not recorded")}
SEX_OF_GENDER = {"Feminine": "female", "Masculine": "male"}


def _child_bands() -> tuple[str, ...]:
    return tuple(b for b in AGE_BANDS.codes if (band_bounds(b)[1] or 99) < 18)


def sdg_row_codes() -> tuple[str, ...]:
    return tuple(f"{sex}|{age}" for sex in SEX_GROUPS for age in AGE_GROUPS)


def sdg_row_label(code: str) -> str:
    sex, _, age = code.partition("|")
    return f"{SEX_GROUPS.get(sex, sex)}, {AGE_GROUPS.get(age, age)}"


def _sdg_row() -> Join:
    sex = case(
        *[(Case.gender == gender, literal(group)) for gender, group in SEX_OF_GENDER.items()],
        else_=literal(UNKNOWN),
    )
    age = case(
        (Case.age_band.in_(_child_bands()), literal("child")),
        (Case.age_band.in_(AGE_BANDS.codes), literal("adult")),
        else_=literal(UNKNOWN),
    )
    return sex + literal("|") + age, None, None


PEOPLE = _l("people")
REFERRALS = _l("referrals")
SERVICES = _l("services")
SESSIONS = _l("counselling sessions")

TEMPLATES: dict[str, Template] = {
    t.code: t
    for t in [
        Template(
            "victims_by_citizenship",
            _l("Victims identified, by citizenship"),
            _l("Citizenship"),
            "cases",
            country_codes,
            country_label,
            _country(first_citizenship()),  # one row a person (decision 0098)
            unit_label=PEOPLE,
        ),
        Template(
            "victims_by_exploitation_country",
            _l("Victims identified, by country of exploitation"),
            _l("Country of exploitation"),
            "cases",
            country_codes,
            country_label,
            _exploitation_country,
            sensitivity=2,  # a person exploited in several countries counts in each
            distinct=True,
            outer=True,  # no exploitation recorded: "not recorded", never dropped
            unit_label=PEOPLE,
        ),
        Template(
            "victims_by_exploitation_type",
            _l("Victims identified, by type of exploitation"),
            _l("Type of exploitation"),
            "cases",
            _codes(EXPLOITATION_TYPES),
            _label(EXPLOITATION_TYPES),
            _case_code("exploitation_type"),
            sensitivity=2,
            distinct=True,
            outer=True,
            unit_label=PEOPLE,
        ),
        Template(
            "victims_by_gender",
            _l("Victims identified, by gender"),
            _l("Gender"),
            "cases",
            _codes(GENDERS),
            _label(GENDERS),
            _column(Case.gender),
            unit_label=PEOPLE,
        ),
        Template(
            "victims_by_age_band",
            _l("Victims identified, by age band (CTDC)"),
            _l("Age band"),
            "cases",
            _codes(AGE_BANDS),
            _label(AGE_BANDS),
            _column(Case.age_band),
            unit_label=PEOPLE,
            ordinal=True,
        ),
        Template(
            "victims_by_identification_channel",
            _l("Victims identified, by identification channel"),
            _l("Identification channel"),
            "cases",
            _codes(IDENTIFICATION_CHANNELS),
            _label(IDENTIFICATION_CHANNELS),
            _column(Case.identification_channel),
            unit_label=PEOPLE,
        ),
        # CTDC's variables, from the coded facts already collected.
        Template(
            "victims_by_control_method",
            _l("Victims identified, by means of control"),
            _l("Means of control"),
            "cases",
            _codes(CONTROL_METHODS),
            _label(CONTROL_METHODS),
            _case_code("control_method"),
            sensitivity=3,
            distinct=True,
            outer=True,
            unit_label=PEOPLE,
        ),
        Template(
            "victims_by_recruitment",
            _l("Victims identified, by type of recruitment"),
            _l("Recruitment"),
            "cases",
            _codes(RECRUITMENT_METHODS),
            _label(RECRUITMENT_METHODS),
            _case_code("recruitment_method"),
            sensitivity=2,
            distinct=True,
            outer=True,
            unit_label=PEOPLE,
        ),
        Template(
            "victims_by_trafficker_relationship",
            _l("Victims identified, by relationship to the trafficker"),
            _l("Relationship"),
            "cases",
            _codes(TRAFFICKER_RELATIONSHIPS),
            _label(TRAFFICKER_RELATIONSHIPS),
            _column(Case.trafficker_relationship),
            unit_label=PEOPLE,
        ),
        Template(
            "victims_by_industry",
            _l("Victims identified, by industry of forced labour"),
            _l("Industry"),
            "cases",
            _codes(ISIC_SECTIONS),
            _label(ISIC_SECTIONS),
            _column(Case.forced_labour_industry),
            unit_label=PEOPLE,
        ),
        Template(
            "victims_by_sexual_exploitation_type",
            _l("Victims identified, by type of sexual exploitation"),
            _l("Type of sexual exploitation"),
            "cases",
            _codes(SEXUAL_EXPLOITATION_TYPES),
            _label(SEXUAL_EXPLOITATION_TYPES),
            _case_code("sexual_exploitation_type"),
            sensitivity=2,
            distinct=True,
            outer=True,
            unit_label=PEOPLE,
        ),
        # The standard breakdowns: two- and three-way tables over the whole period.
        Template(
            "sdg_16_2_2",
            _l("SDG 16.2.2: victims by sex, age and form of exploitation"),
            _l("Sex and age"),
            "cases",
            sdg_row_codes,
            sdg_row_label,
            _sdg_row,
            ordinal=True,
            sensitivity=2,
            distinct=True,
            outer=True,
            column=_case_code("exploitation_type"),
            column_codes=_codes(EXPLOITATION_TYPES),
            column_label=_label(EXPLOITATION_TYPES),
            column_heading=_l("Form of exploitation"),
            unit_label=PEOPLE,
        ),
        Template(
            "flows_citizenship_exploitation",
            _l("Flows: victims by citizenship and country of exploitation"),
            _l("Citizenship"),
            "cases",
            country_codes,
            country_label,
            _country(first_citizenship()),
            sensitivity=2,
            distinct=True,
            outer=True,
            column=_exploitation_country,
            column_codes=country_codes,
            column_label=country_label,
            column_heading=_l("Country of exploitation"),
            unit_label=PEOPLE,
        ),
        Template(
            "referral_flows",
            _l("Referral flows: people referred, by country referred from and to"),
            _l("Referred from"),
            "referrals",
            country_codes,
            country_label,
            _country(Referral.from_country),
            sensitivity=2,
            counts_people=True,
            column=_country(Referral.to_country),
            column_codes=country_codes,
            column_label=country_label,
            column_heading=_l("Referred to"),
            unit_label=PEOPLE,
        ),
        Template(
            "referrals_by_status",
            _l("Referrals made, by outcome"),
            _l("Outcome"),
            "referrals",
            lambda: REFERRAL_STATUSES.codes,
            REFERRAL_STATUSES.label,
            _column(Referral.status),
            sensitivity=2,  # with differential privacy: people, at most 2 cells each
            unit_label=REFERRALS,
        ),
        Template(
            "referrals_by_service_type",
            _l("Referrals made, by service type"),
            _l("Service type"),
            "referrals",
            lambda: SERVICE_TYPES.codes,
            SERVICE_TYPES.label,
            _referral_service,
            sensitivity=3,
            distinct=True,
            unit_label=REFERRALS,
        ),
        Template(
            "referrals_by_border",
            _l("Referrals made, cross-border or domestic"),
            _l("Referral"),
            "referrals",
            lambda: tuple(BORDER_LABELS),
            lambda code: str(BORDER_LABELS.get(code, code)),
            _border,
            sensitivity=2,
            unit_label=REFERRALS,
        ),
        Template(
            "services_by_type",
            _l("Services provided, by type"),
            _l("Service type"),
            "services",
            lambda: SERVICE_TYPES.codes,
            SERVICE_TYPES.label,
            _column(ServiceRecord.service_type),
            sensitivity=3,
            unit_label=SERVICES,
        ),
        Template(
            "services_completed_by_type",
            _l("Services completed, by type"),
            _l("Service type"),
            "services",
            lambda: SERVICE_TYPES.codes,
            SERVICE_TYPES.label,
            _column(ServiceRecord.service_type),
            sensitivity=3,
            extra=lambda: ServiceRecord.status == ServiceStatus.COMPLETED,
            unit_label=SERVICES,
        ),
        Template(
            "counselling_sessions_by_modality",
            _l("Counselling sessions, by modality"),
            _l("Modality"),
            "sessions",
            lambda: MODALITIES.codes,
            MODALITIES.label,
            _column(CounsellingSession.modality),
            sensitivity=3,
            unit_label=SESSIONS,
        ),
        *MEDIAN_TEMPLATES,
    ]
}

# The report a coordinator sends each quarter; a supervisor's agency report is the same set.
QUARTERLY_REPORT = tuple(TEMPLATES)
# The regional release with differential privacy: the standard breakdowns and CTDC's
# variables. One epsilon per release (REPORT_DP_EPSILON) is shared by its tables.
DP_REPORT = (
    "victims_by_citizenship",
    "sdg_16_2_2",
    "flows_citizenship_exploitation",
    "referral_flows",
    "victims_by_identification_channel",
    "victims_by_control_method",
    "victims_by_recruitment",
    "victims_by_trafficker_relationship",
)
DASHBOARD_TEMPLATES = (
    "victims_by_citizenship",
    "victims_by_exploitation_type",
    "victims_by_gender",
    "victims_by_age_band",
    "referrals_by_status",
    "services_by_type",
)
