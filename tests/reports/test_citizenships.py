"""Citizenship is several a person (HTCDS prs_Citizenship); the tables by citizenship still
count each person once, under the first of their citizenships in code order, so they keep
sharing the population's totals with the other one-valued tables (decision 0098)."""

from __future__ import annotations

from datetime import date

from flask import Flask

from casework.cases.models import CaseCode
from casework.core.extensions import db
from casework.reports.definitions import OTHER, UNKNOWN
from casework.reports.queries import count_table
from casework.reports.request import REGION, Period, ReportRequest, Scope
from casework.reports.service import shares_population_margins
from casework.reports.templates import TEMPLATES
from tests.factories import make_agency
from tests.reports.factories import counted_case


def _rows(template: str) -> dict[str, int]:
    request = ReportRequest(
        template, TEMPLATES[template].unit, Scope(REGION), Period("2026-Q1"), "standard"
    )
    table = count_table(request)
    return {code: sum(row) for code, row in zip(table.row_codes, table.counts, strict=True)}


def test_a_person_of_several_citizenships_counts_once(app: Flask) -> None:
    agency = make_agency(country="TH")
    dual = counted_case(agency, citizenship="TH", identified_on=date(2026, 2, 2))
    dual.codes.append(CaseCode(vocabulary="citizenship", code="MM"))  # MM < TH: counted as MM
    counted_case(agency, citizenship="MM", identified_on=date(2026, 2, 3))
    other = counted_case(agency, citizenship="FR", identified_on=date(2026, 2, 4))
    other.codes.append(CaseCode(vocabulary="citizenship", code="DE"))
    counted_case(agency, citizenship=None, identified_on=date(2026, 2, 5))
    db.session.flush()

    rows = _rows("victims_by_citizenship")
    assert {code: n for code, n in rows.items() if n} == {"MM": 2, OTHER: 1, UNKNOWN: 1}
    assert sum(rows.values()) == 4  # the people counted, each once
    assert shares_population_margins("victims_by_citizenship")
