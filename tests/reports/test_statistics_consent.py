"""People who withdrew their consent to anonymised statistics are counted nowhere."""

from __future__ import annotations

from datetime import date

from flask import Flask

from casework.core.db import utcnow
from casework.core.extensions import db
from casework.reports.definitions import UNITS
from casework.reports.queries import count_table
from casework.reports.request import REGION, Period, ReportRequest, Scope
from casework.reports.templates import TEMPLATES
from tests.factories import make_agency, make_case, make_consent, make_referral

BY_CITIZENSHIP = "victims_by_citizenship"


def _total(template: str) -> int:
    request = ReportRequest(
        template, TEMPLATES[template].unit, Scope(REGION), Period("2026-Q1"), "standard"
    )
    return sum(sum(row) for row in count_table(request).counts)


def test_withdrawn_statistics_consent_removes_a_person_from_every_count(app: Flask) -> None:
    agency, partner = make_agency(country="TH"), make_agency(country="KH")
    on = date(2026, 2, 2)
    staying = make_case(agency, identified_on=on)
    leaving = make_case(agency, identified_on=on)
    returning = make_case(agency, identified_on=on)
    for case in (staying, leaving, returning):
        make_consent(case, "statistics", given_on=on)
        referral = make_referral(case, partner, status="accepted")
        referral.created_at = utcnow().replace(year=2026, month=2, day=3)
    db.session.flush()
    assert _total(BY_CITIZENSHIP) == 3
    referrals_template = next(t for t in TEMPLATES if TEMPLATES[t].unit == "referrals")
    assert _total(referrals_template) == 3

    for case in (leaving, returning):
        for consent in case.consents:
            if consent.purpose == "statistics":
                consent.withdrawn_at = utcnow()
    make_consent(returning, "statistics", given_on=date(2026, 3, 1))  # consented again
    db.session.flush()
    assert _total(BY_CITIZENSHIP) == 2
    assert _total(referrals_template) == 2


def test_every_unit_knows_its_case() -> None:
    assert all(unit.case_column is not None for unit in UNITS.values())
