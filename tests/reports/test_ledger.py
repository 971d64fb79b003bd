"""The release ledger: repeats, refusals by a rule that reads no data, budgets per scope."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from casework.core.extensions import db
from casework.reports.disclosure import DIFFERENTIAL_PRIVACY, STANDARD, PublishedTable
from casework.reports.ledger import Refused, budget_status
from casework.reports.models import ReportRelease
from casework.reports.operations import release_table
from casework.reports.request import COUNTRY, REGION, Period, ReportRequest, RequestError, Scope
from tests.reports.fake_data import FakeData, people

TODAY = date(2027, 2, 1)


def request(period: str, scope: Scope | None = None, mode: str = STANDARD) -> ReportRequest:
    return ReportRequest(
        template="victims_by_gender",
        unit="cases",
        scope=scope or Scope(REGION),
        period=Period(period),
        mode=mode,
    )


def release(
    data: FakeData, req: ReportRequest, sensitivity: int | None = 1
) -> tuple[ReportRelease, bool]:
    return release_table(
        req,
        actor_id=None,
        count=data.count,
        sensitivity=sensitivity,
        today=TODAY,
    )


def q1_data() -> FakeData:
    return FakeData(
        people("TH", 0, 40, date(2026, 1, 10))
        + people("TH", 100, 25, date(2026, 2, 10), "M")
        + people("KH", 200, 30, date(2026, 3, 5))
    )


def test_repeating_a_released_request_returns_the_stored_release(app: Flask) -> None:
    data = q1_data()
    first, created = release(data, request("2026-Q1"))
    assert created
    # New data arrive for Q1 afterwards: the stored release is what the same request gets.
    data.people += people("TH", 900, 3, date(2026, 1, 20))
    again, created_again = release(data, request("2026-Q1"))
    assert not created_again
    assert again.id == first.id
    assert again.published == first.published
    assert db.session.scalar(select(func.count()).select_from(ReportRelease)) == 1


def test_same_request_twice_gives_identical_figures(app: Flask) -> None:
    data = q1_data()
    first = PublishedTable.from_dict(release(data, request("2026-Q1"))[0].published)
    db.session.execute(ReportRelease.__table__.delete())
    second = PublishedTable.from_dict(release(data, request("2026-Q1"))[0].published)
    assert first == second  # even recomputed: the rounding is keyed, not random


def test_an_overlapping_population_is_refused_whatever_the_data(app: Flask) -> None:
    """A year around a released quarter is refused with 4 people more and with 40 more:
    the refusal reads only the released definitions, so it says nothing about anyone."""
    for extra in (4, 40):
        db.session.execute(ReportRelease.__table__.delete())
        data = q1_data()
        data.people += people("TH", 500, extra, date(2026, 5, 1))
        release(data, request("2026-Q1"))
        with pytest.raises(Refused, match="already released") as refusal:
            release(data, request("2026"))
        assert str(extra) not in str(refusal.value)
        assert db.session.scalar(select(func.count()).select_from(ReportRelease)) == 1


def test_nested_scopes_are_refused_and_other_countries_are_not(app: Flask) -> None:
    data = FakeData(people("TH", 0, 60, date(2026, 1, 10)) + people("KH", 100, 3, date(2026, 2, 1)))
    release(data, request("2026-Q1", Scope(COUNTRY, "TH")))
    with pytest.raises(Refused, match="already released"):
        release(data, request("2026-Q1", Scope(REGION)))
    _, created = release(data, request("2026-Q1", Scope(COUNTRY, "KH")))
    assert created


def test_other_templates_of_the_same_population_are_released(app: Flask) -> None:
    data = q1_data()
    release(data, request("2026-Q1"))
    other = ReportRequest(
        "victims_by_age_band", "cases", Scope(REGION), Period("2026-Q1"), STANDARD
    )
    _, created = release(data, other)
    assert created


def test_disjoint_periods_are_not_compared(app: Flask) -> None:
    data = FakeData(people("TH", 0, 3, date(2026, 1, 10)) + people("TH", 10, 4, date(2026, 2, 10)))
    release(data, request("2026-01"))
    _, created = release(data, request("2026-02"))  # 7 people differ, but nobody in both
    assert created


def test_running_period_is_refused(app: Flask) -> None:
    with pytest.raises(Refused, match="not over yet"):
        release(q1_data(), request("2027-Q1"))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    base=st.integers(0, 40),
    extra=st.integers(0, 25),
    outside=st.integers(0, 25),
    first_by_country=st.booleans(),
)
def test_differencing_never_gains_anything(
    app: Flask, base: int, extra: int, outside: int, first_by_country: bool
) -> None:
    """Whatever two overlapping requests an attacker makes (periods nested, scopes nested),
    the second is refused, and the refusal is the same whatever the data."""
    db.session.execute(ReportRelease.__table__.delete())
    data = FakeData(
        people("TH", 0, base, date(2026, 1, 10))
        + people("TH", 1000, extra, date(2026, 5, 10))
        + people("KH", 2000, outside, date(2026, 2, 10))
    )
    country, region = Scope(COUNTRY, "TH"), Scope(REGION)
    first = request("2026-Q1", country if first_by_country else region)
    second = request("2026", region if first_by_country else country)
    release(data, first)
    with pytest.raises(Refused) as refusal:
        release(data, second)
    message = str(refusal.value)
    assert message.startswith("Refused: tables for 2026-Q1")
    for number in {base, extra, outside} - {0, 1, 2, 20, 26}:
        assert f" {number} " not in message


def test_dp_budget_is_spent_in_the_ledger_and_refused_when_spent(app: Flask) -> None:
    epsilon, budget = app.config["REPORT_DP_EPSILON"], app.config["REPORT_DP_BUDGET"]
    app.config.update(REPORT_DP_EPSILON=0.5, REPORT_DP_BUDGET=1.0)
    data = FakeData(
        people("TH", 0, 30, date(2026, 1, 10))
        + people("TH", 100, 30, date(2026, 4, 10))
        + people("TH", 200, 30, date(2026, 7, 10))
    )
    try:
        a, _ = release(data, request("2026-Q1", mode=DIFFERENTIAL_PRIVACY))
        assert a.epsilon == 0.5
        assert budget_status(2026, 1.0).spent == pytest.approx(0.5)
        # A repeat costs nothing and returns the same noisy figures.
        again, created = release(data, request("2026-Q1", mode=DIFFERENTIAL_PRIVACY))
        assert not created
        assert again.published == a.published
        assert budget_status(2026, 1.0).spent == pytest.approx(0.5)
        release(data, request("2026-Q2", mode=DIFFERENTIAL_PRIVACY))
        assert budget_status(2026, 1.0).remaining == pytest.approx(0.0)
        with pytest.raises(Refused, match="privacy budget for 2026 data is spent"):
            release(data, request("2026-Q3", mode=DIFFERENTIAL_PRIVACY))
        # Another year's budget is untouched; suppressed tables are no longer offered for
        # people released with differential privacy, and a new population needs no budget.
        assert budget_status(2025, 1.0).spent == 0
        with pytest.raises(Refused, match="differential privacy"):
            release(data, request("2026-Q2"))
        _, created = release(data, request("2026-Q3"))
        assert created
    finally:
        app.config.update(REPORT_DP_EPSILON=epsilon, REPORT_DP_BUDGET=budget)


def test_templates_without_bounded_contribution_refuse_dp(app: Flask) -> None:
    with pytest.raises(Refused, match="any number of times"):
        release(q1_data(), request("2026-Q1", mode=DIFFERENTIAL_PRIVACY), sensitivity=None)
    assert budget_status(2026, 4.0).spent == 0


def test_budgets_are_per_scope_and_year(app: Flask) -> None:
    """A country's coordinator spending their country's budget leaves the region's and
    the other countries' untouched; each scope is refused only when its own is spent."""
    epsilon, budget = app.config["REPORT_DP_EPSILON"], app.config["REPORT_DP_BUDGET"]
    app.config.update(REPORT_DP_EPSILON=1.0, REPORT_DP_BUDGET=2.0)
    data = FakeData(
        people("TH", 0, 30, date(2026, 1, 10)) + people("KH", 100, 30, date(2026, 4, 1))
    )
    try:
        th = Scope(COUNTRY, "TH")
        release(data, request("2026-Q1", th, DIFFERENTIAL_PRIVACY))
        release(data, request("2026-Q2", th, DIFFERENTIAL_PRIVACY))
        with pytest.raises(Refused, match="budget for 2026 data is spent"):
            release(data, request("2026-Q3", th, DIFFERENTIAL_PRIVACY))
        assert budget_status(2026, 2.0, "country:TH").spent == pytest.approx(2.0)
        assert budget_status(2026, 2.0, "country:KH").spent == 0
        assert budget_status(2026, 2.0).spent == 0  # the region's
        _, created = release(data, request("2026-Q2", Scope(COUNTRY, "KH"), DIFFERENTIAL_PRIVACY))
        assert created
        _, created = release(data, request("2026-Q1", Scope(REGION), DIFFERENTIAL_PRIVACY))
        assert created
        assert budget_status(2026, 2.0).spent == pytest.approx(1.0)
        # Next year's data have a budget of their own.
        _, created = release(data, request("2027-01", th, DIFFERENTIAL_PRIVACY))
        assert created
    finally:
        app.config.update(REPORT_DP_EPSILON=epsilon, REPORT_DP_BUDGET=budget)


@pytest.mark.parametrize(
    ("key", "start", "end", "parts"),
    [
        (
            "2026",
            date(2026, 1, 1),
            date(2026, 12, 31),
            ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"],
        ),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), ["2026-01", "2026-02", "2026-03"]),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), ["2024-02"]),
    ],
)
def test_periods(key: str, start: date, end: date, parts: list[str]) -> None:
    period = Period(key)
    assert (period.start, period.end) == (start, end)
    assert [p.key for p in period.parts()] == parts


@pytest.mark.parametrize("key", ["2026-Q5", "2026-13", "26", "2026-1", ""])
def test_bad_periods_are_refused(key: str) -> None:
    with pytest.raises(RequestError):
        Period(key)


def test_scopes_and_audiences() -> None:
    assert Scope(REGION).audience == Scope(COUNTRY, "TH").audience == "coordination"
    assert Scope("agency", "a1").audience == "agency:a1"
    with pytest.raises(RequestError):
        Scope(COUNTRY)
    with pytest.raises(RequestError):
        Scope(REGION, "TH")
