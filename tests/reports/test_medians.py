"""The median templates: days from identification to first service and from referral to
answer, medians taken by the database (window functions, both dialects), hidden below k,
rounded to whole days, released through the ledger and shown in every export."""

from __future__ import annotations

import json
import statistics
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Float, MetaData, String, Table, func, insert, select

from casework.cases.models import Case
from casework.core.extensions import db
from casework.policy import Role
from casework.reports.disclosure import TOTAL, MedianTable, protect_medians, round_median
from casework.reports.ledger import Refused
from casework.reports.models import CoordinatorScope
from casework.reports.operations import release_table
from casework.reports.queries import grouped_medians, median_groups, median_table
from casework.reports.request import COUNTRY, REGION, Period, ReportRequest, Scope
from casework.reports.service import build_report
from casework.reports.templates import QUARTERLY_REPORT, TEMPLATES
from casework.services.models import ServiceRecord
from tests.conftest import csrf_token
from tests.factories import make_agency, make_referral
from tests.reports.factories import counted_case

FIRST_SERVICE = "median_days_to_first_service"
TO_ANSWER = "median_days_referral_to_answer"
TODAY = date(2026, 11, 1)


def request(template: str, scope: Scope, period: str = "2026-Q1", mode: str = "standard"):
    return ReportRequest(template, TEMPLATES[template].unit, scope, Period(period), mode)


def serve(case: Case, days: int, *, status: str = "in_progress", service: str = "shelter"):
    record = ServiceRecord(
        case=case,
        provider_agency_id=case.agency_id,
        service_type=service,
        status=status,
        start_on=case.identified_on + timedelta(days=days),
    )
    db.session.add(record)
    db.session.flush()
    return record


def answer(referral, created: datetime, hours: float, status: str) -> None:
    referral.created_at = created
    referral.responded_at = created + timedelta(hours=hours)
    referral.status = status
    db.session.flush()


def seed_first_service() -> dict[str, object]:
    """TH: 12 victims in January (days 0..22 step 2), plus later services that are not the
    first; 11 in February with days 1..11; KH: 4 in March (hidden: fewer than k)."""
    th = make_agency("TH police", country="TH")
    kh = make_agency("KH shelter", country="KH")
    for i in range(12):
        case = counted_case(th, identified_on=date(2026, 1, 3 + i))
        serve(case, 2 * i)
        serve(case, 2 * i + 30, service="legal_aid")  # a later service: not the first
    for i in range(11):
        case = counted_case(th, identified_on=date(2026, 2, 2 + i))
        serve(case, i + 1, status="completed")
    for i in range(4):
        serve(counted_case(kh, identified_on=date(2026, 3, 2 + i)), 3)
    # Never served and only planned: not measured. A service recorded as starting before
    # identification counts as 0 days.
    counted_case(th, identified_on=date(2026, 1, 20))
    serve(counted_case(th, identified_on=date(2026, 1, 21)), 5, status="planned")
    serve(counted_case(kh, identified_on=date(2026, 3, 9)), -4)
    db.session.commit()
    return {"th": th, "kh": kh}


def test_days_to_first_service_medians_come_from_the_database(app: Flask) -> None:
    seed_first_service()
    table = median_table(request(FIRST_SERVICE, Scope(REGION)))
    jan = [2 * i for i in range(12)]
    feb = [i + 1 for i in range(11)]
    th_all = jan + feb
    assert table.cells[("TH", "2026-01")] == (statistics.median(jan), 12)
    assert table.cells[("TH", "2026-02")] == (statistics.median(feb), 11)
    assert table.cells[("TH", TOTAL)] == (statistics.median(th_all), 23)
    assert table.cells[("KH", "2026-03")] == (3.0, 5)  # 4 at 3 days, one clamped to 0
    assert table.cells[(TOTAL, "2026-03")] == (3.0, 5)
    assert table.cells[(TOTAL, TOTAL)] == (statistics.median([*th_all, 3, 3, 3, 3, 0]), 28)
    assert ("TH", "2026-03") not in table.cells
    th_only = median_table(request(FIRST_SERVICE, Scope(COUNTRY, "TH")))
    assert {r for r, _c in th_only.cells} == {"TH", TOTAL}


def test_medians_are_hidden_below_k_and_rounded_to_whole_days(app: Flask) -> None:
    seed_first_service()
    published = protect_medians(median_table(request(FIRST_SERVICE, Scope(REGION))), k=10)
    assert published.statistic == "median"
    assert published.row_codes == ("KH", "TH", TOTAL)
    assert published.column_codes == ("2026-01", "2026-02", "2026-03", TOTAL)
    values = dict(zip(published.row_codes, published.values, strict=True))
    assert values["KH"] == (None, None, None, None)  # 5 people: hidden everywhere
    assert values["TH"] == (11, 6, None, 8)  # 23 people over the quarter: median 8
    assert values[TOTAL] == (11, 6, None, 6)  # March is KH's 5 people only: hidden
    assert published.hidden_cells == 6
    assert round_median(8.5) == 9
    assert round_median(8.49) == 8
    assert round_median(0.5) == 1


def test_a_table_with_nobody_measured_says_so() -> None:
    empty = MedianTable("t", ("A", "B"), ("2026-01", "2026-02"), {})
    published = protect_medians(empty, k=10)
    assert published.values == ()
    assert published.notes == ("no_data",)
    lone = MedianTable("t", ("A", "B"), ("2026-01",), {("A", "2026-01"): (4.0, 10)})
    published = protect_medians(lone, k=10)
    assert published.row_codes == ("A",)
    assert published.column_codes == ("2026-01",)
    assert published.values == ((4,),)


def seed_referrals() -> None:
    th = make_agency("TH police", country="TH")
    kh = make_agency("KH shelter", country="KH")
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for i in range(12):  # accepted after 6 h .. 72 h (step 6 h)
        referral = make_referral(counted_case(th, identified_on=date(2026, 1, 2)), kh)
        answer(
            referral, start + timedelta(days=i), 6 * (i + 1), "accepted" if i % 2 else "completed"
        )
    for i in range(10):  # declined after 1..10 days
        referral = make_referral(counted_case(th, identified_on=date(2026, 2, 2)), kh)
        answer(referral, start + timedelta(days=35 + i), 24 * (i + 1), "declined")
    pending = make_referral(counted_case(th, identified_on=date(2026, 2, 2)), kh)
    pending.created_at = start
    db.session.commit()


def test_days_from_referral_to_answer_are_fractional_then_rounded(app: Flask) -> None:
    seed_referrals()
    table = median_table(request(TO_ANSWER, Scope(REGION)))
    accepted_days = [6 * (i + 1) / 24 for i in range(12)]
    declined_days = [float(i + 1) for i in range(10)]
    median, people = table.cells[("accepted", TOTAL)]
    assert people == 12
    assert median == pytest.approx(statistics.median(accepted_days))
    assert table.cells[("declined", "2026-02")][1] == 10
    assert table.cells[("declined", "2026-02")][0] == pytest.approx(
        statistics.median(declined_days)
    )
    assert table.cells[(TOTAL, TOTAL)][1] == 22  # the pending referral is not measured
    published = protect_medians(table, k=10)
    values = dict(zip(published.row_codes, published.values, strict=True))
    assert values["accepted"][-1] == round_median(statistics.median(accepted_days)) == 2
    assert values["declined"] == (None, 6, None, 6)


@pytest.fixture
def durations_table(app: Flask):
    metadata = MetaData()
    table = Table(
        "median_property_rows",
        metadata,
        Column("row_code", String(8)),
        Column("column_code", String(8)),
        Column("days", Float),
    )
    metadata.create_all(db.engine)
    yield table
    db.session.rollback()
    metadata.drop_all(db.engine)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.sampled_from(["x", "y"]),
            st.integers(0, 400).map(lambda v: v / 4),
        ),
        max_size=40,
    )
)
def test_window_function_median_equals_the_median_of_every_group(
    durations_table: Table, rows: list[tuple[str, str, float]]
) -> None:
    db.session.execute(durations_table.delete())
    if rows:
        db.session.execute(
            insert(durations_table),
            [{"row_code": r, "column_code": c, "days": d} for r, c, d in rows],
        )
    result = db.session.execute(grouped_medians(select(durations_table).subquery())).all()
    expected: dict[tuple[str, str], list[float]] = {}
    for r, c, d in rows:
        expected.setdefault((r, c), []).append(d)
    assert {(r, c): (float(m), int(n)) for r, c, m, n in result} == {
        key: (statistics.median(days), len(days)) for key, days in expected.items()
    }
    db.session.rollback()


def test_postgresql_percentile_cont_agrees(app: Flask) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("percentile_cont is PostgreSQL's; the SQLite run checks against Python")
    seed_first_service()
    ours = median_table(request(FIRST_SERVICE, Scope(REGION))).cells
    groups = median_groups(request(FIRST_SERVICE, Scope(REGION)))
    reference = db.session.execute(
        select(
            groups.c.row_code,
            groups.c.column_code,
            func.percentile_cont(0.5).within_group(groups.c.days),
        ).group_by(groups.c.row_code, groups.c.column_code)
    ).all()
    assert {(r, c): float(m) for r, c, m in reference} == {k: v[0] for k, v in ours.items()}


def test_median_tables_go_through_the_ledger_and_refuse_dp(app: Flask, login_as) -> None:
    seed_first_service()
    _client, account = login_as(Role.COORDINATOR)
    db.session.add(CoordinatorScope(user_id=account.user.id, country=None))
    db.session.commit()
    assert FIRST_SERVICE in QUARTERLY_REPORT
    assert TO_ANSWER in QUARTERLY_REPORT
    [result] = build_report(account.user, Period("2026-Q1"), [FIRST_SERVICE], "standard", TODAY)
    assert result.release is not None
    assert result.published is not None
    assert result.published.statistic == "median"
    [again] = build_report(account.user, Period("2026-Q1"), [FIRST_SERVICE], "standard", TODAY)
    assert again.release is not None
    assert again.release.id == result.release.id
    [dp] = build_report(account.user, Period("2026-Q1"), [FIRST_SERVICE], "dp", TODAY)
    assert dp.release is None
    assert dp.refusal is not None
    assert "Medians" in dp.refusal
    # Thailand's Q1 medians are the region's bar KH's 5 served people: comparing the two
    # could show those 5 people's days, so the ledger refuses them.
    with pytest.raises(Refused):
        release_table(
            request(FIRST_SERVICE, Scope(COUNTRY, "TH")),
            actor_id=None,
            count=lambda r: pytest.fail("a median table is not counted"),
            sensitivity=None,
            today=TODAY,
            medians=median_table,
        )


def test_median_tables_in_the_page_and_every_export(app: Flask, login_as) -> None:
    seed_first_service()
    client, account = login_as(Role.COORDINATOR)
    db.session.add(CoordinatorScope(user_id=account.user.id, country=None))
    db.session.commit()
    token = csrf_token(client, "/reports/regional/report?period=2026-Q1")
    client.post(
        "/reports/regional/report",
        data={"period": "2026-Q1", "mode": "standard", "csrf_token": token},
    )
    html = client.get("/reports/regional/report?period=2026-Q1").get_data(as_text=True)
    assert "Median days from identification to first service" in html
    assert "Medians in whole days (rounded)" in html
    assert "Victims not yet served are not included" in html
    data = json.loads(client.get("/reports/regional/report.json?period=2026-Q1").data)
    table = next(t for t in data["tables"] if t["template"] == FIRST_SERVICE)
    assert table["statistic"] == "median"
    rows = {r["code"]: v for r, v in zip(table["rows"], table["values"], strict=True)}
    assert rows["TH"] == [11, 6, None, 8]
    assert rows["KH"] == [None, None, None, None]
    csv_text = client.get("/reports/regional/report.csv?period=2026-Q1").get_data(as_text=True)
    assert "Median days from identification to first service" in csv_text
    assert "Thailand,11,6,x,8" in csv_text
    xlsx = client.get("/reports/regional/report.xlsx?period=2026-Q1")
    assert xlsx.status_code == 200
    assert xlsx.data[:2] == b"PK"
