"""The attacks of issue 15, run against the real queries and the ledger: each gains nothing.

Every test here failed on the code before issue 15: the month released before a consent
withdrawal and the quarter after it, the quarter before a back-dated registration and the
month after it, the supervisor who subtracts their own agency's true counts from the
country's table, victims of every trafficking status counted, people who never consented
counted, and a person with several forms of exploitation counted in every one of them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask

from casework.core.extensions import db
from casework.policy import Role
from casework.reports import dp
from casework.reports.disclosure import TOTAL, PublishedTable
from casework.reports.ledger import budget_status
from casework.reports.models import CoordinatorScope, ReportRelease
from casework.reports.notes import note_text
from casework.reports.queries import count_table
from casework.reports.request import AGENCY, COUNTRY, Period, ReportRequest, Scope
from casework.reports.service import build_report
from casework.reports.suppression import extend
from casework.reports.templates import TEMPLATES
from tests.factories import make_agency, make_case, make_user
from tests.reports.factories import counted_case

TODAY = date(2027, 2, 1)
BY_CHANNEL = "victims_by_identification_channel"


def coordinator(country: str = "TH") -> object:
    user = make_user(Role.COORDINATOR, make_agency(country=country)).user
    db.session.add(CoordinatorScope(user_id=user.id, country=country))
    db.session.flush()
    return user


def thailand(people: int = 40) -> list[object]:
    police = make_agency("TH police", country="TH")
    cases = []
    for i in range(people):
        cases.append(
            counted_case(
                police,
                citizenship=("MM", "KH", "LA")[i % 3],
                identified_on=date(2026, 7 + i % 3, 1 + i % 27),
                channel=("police", "hotline", "outreach")[i % 3],
            )
        )
    db.session.flush()
    return cases


def refusal_of(user: object, period: str) -> str:
    [result] = build_report(user, Period(period), [BY_CHANNEL], "standard", TODAY)  # type: ignore[arg-type]
    assert result.release is None
    assert result.refusal is not None
    return result.refusal


def test_month_before_a_consent_withdrawal_and_quarter_after_it_cannot_be_differenced(
    app: Flask,
) -> None:
    cases = thailand()
    user = coordinator()
    [month] = build_report(user, Period("2026-09"), [BY_CHANNEL], "standard", TODAY)  # type: ignore[arg-type]
    assert month.release is not None
    control = refusal_of(user, "2026-Q3")  # nobody withdrew: the quarter is refused
    leaving = next(c for c in cases if c.identified_on.month == 9)  # type: ignore[attr-defined]
    for consent in leaving.consents:  # type: ignore[attr-defined]
        consent.withdrawn_at = datetime.now(UTC)
    db.session.flush()
    # After the withdrawal: refused the same way, word for word. Nothing about the person.
    assert refusal_of(user, "2026-Q3") == control
    assert db.session.query(ReportRelease).count() == 1


def test_quarter_before_a_back_dated_registration_and_month_after_it_cannot_be_differenced(
    app: Flask,
) -> None:
    thailand()
    user = coordinator()
    [quarter] = build_report(user, Period("2026-Q3"), [BY_CHANNEL], "standard", TODAY)  # type: ignore[arg-type]
    assert quarter.release is not None
    control = refusal_of(user, "2026-09")
    counted_case(
        make_agency("TH shelter", country="TH"),
        citizenship="LA",
        gender="Masculine",
        age=12,
        identified_on=date(2026, 9, 20),  # registered now, identified in September
        channel="labour_inspection",
    )
    db.session.flush()
    assert refusal_of(user, "2026-09") == control


def test_the_supervisor_cannot_subtract_their_agency_from_the_country(app: Flask) -> None:
    """Phnom Penh: the police unit's 30 people and the counselling centre's one woman in
    sexual exploitation. The police supervisor knows their own true counts: no figure of
    the country's table, minus them, leaves 1 to k-1 people of the other agencies."""
    police = make_agency("KH police", country="KH")
    centre = make_agency("KH counselling centre", country="KH")
    for i in range(30):
        counted_case(
            police,
            identified_on=date(2026, 9, 1 + i % 28),
            exploitation=("SexualExploitation",) if i % 2 else ("ForcedLabour",),
        )
    counted_case(centre, identified_on=date(2026, 9, 12), exploitation=("SexualExploitation",))
    db.session.flush()
    user = coordinator("KH")
    code = "victims_by_exploitation_type"
    [country] = build_report(user, Period("2026-Q3"), [code], "standard", TODAY)  # type: ignore[arg-type]
    assert country.published is not None
    published: PublishedTable = country.published
    request = ReportRequest(code, "cases", Scope(COUNTRY, "KH"), Period("2026-Q3"), "standard")
    own = ReportRequest(code, "cases", Scope(AGENCY, str(police.id)), Period("2026-Q3"), "standard")
    country_true = extend(count_table(request).counts)[0]
    own_true = extend(count_table(own).counts)[0]
    k = app.config["REPORT_K"]
    for r, row in enumerate(published.values):
        for c, value in enumerate(row):
            if value is None:
                continue
            rest = country_true[r][c] - own_true[r][c]
            assert rest == 0 or rest >= k, (published.row_codes[r], published.column_codes[c])
    sexual = published.row_codes.index("SexualExploitation")
    assert published.values[sexual][published.column_codes.index("2026-09")] is None


def test_victims_are_counted_by_trafficking_status(app: Flask) -> None:
    agency = make_agency(country="TH")
    statuses = ["PossibleVictimOfTrafficking", "ActualVictimOfTrafficking"] * 6 + [
        "NotAVictimOfTrafficking",
        None,
    ]
    for status in statuses:
        case = counted_case(agency, identified_on=date(2026, 2, 2))
        case.trafficking_status = status
    db.session.flush()
    request = ReportRequest(
        "victims_by_gender", "cases", Scope(COUNTRY, "TH"), Period("2026-Q1"), "standard"
    )
    assert (
        count_table(request).population == 12
    )  # not the one assessed as no victim, nor the unknown
    app.config["REPORT_VICTIM_STATUSES"] = "ActualVictimOfTrafficking"
    try:
        assert count_table(request).population == 6
    finally:
        app.config["REPORT_VICTIM_STATUSES"] = (
            "PossibleVictimOfTrafficking ActualVictimOfTrafficking"
        )
    # Referrals count whatever the person's status; services too.
    assert TEMPLATES["referrals_by_status"].unit == "referrals"


def test_only_people_who_consented_are_counted_by_default_and_the_note_says_so(
    app: Flask,
) -> None:
    agency = make_agency(country="TH")
    for _ in range(12):
        counted_case(agency, identified_on=date(2026, 2, 2))
    for _ in range(3):
        make_case(agency, identified_on=date(2026, 2, 2))  # registration only, no statistics
    db.session.flush()
    request = ReportRequest(
        "victims_by_gender", "cases", Scope(COUNTRY, "TH"), Period("2026-Q1"), "standard"
    )
    assert count_table(request).population == 12
    app.config["REPORT_COUNTING_RULE"] = "not_withdrawn"
    try:
        assert count_table(request).population == 15
    finally:
        app.config["REPORT_COUNTING_RULE"] = "consented"
    user = coordinator()
    [result] = build_report(user, Period("2026-Q1"), ["victims_by_gender"], "standard", TODAY)  # type: ignore[arg-type]
    assert result.published is not None
    notes = " ".join(note_text(result.published, "victims_by_gender"))
    assert "Counts only people who consented" in notes
    assert "possible victim of trafficking, actual victim of trafficking" in notes


def test_a_victim_without_an_exploitation_event_counts_as_not_recorded(app: Flask) -> None:
    agency = make_agency(country="TH")
    for _ in range(3):
        counted_case(agency, identified_on=date(2026, 2, 2))  # factories record no event
    db.session.flush()
    request = ReportRequest(
        "victims_by_exploitation_country",
        "cases",
        Scope(COUNTRY, "TH"),
        Period("2026-Q1"),
        "standard",
    )
    table = count_table(request)
    assert table.population == 3
    assert sum(table.counts[table.row_codes.index("_unknown")]) == 3


def test_a_person_in_several_cells_is_bounded_in_the_dp_accounting(app: Flask) -> None:
    """One person with three forms of exploitation counts in at most 2 cells (the
    template's stated sensitivity), and the noise is calibrated by OpenDP for 2."""
    agency = make_agency(country="TH")
    counted_case(
        agency,
        identified_on=date(2026, 2, 2),
        exploitation=("ForcedLabour", "SexualExploitation", "Servitude"),
    )
    db.session.flush()
    code = "victims_by_exploitation_type"
    request = ReportRequest(code, "cases", Scope(COUNTRY, "TH"), Period("2026-Q1"), "dp")
    assert count_table(request).population == 3  # the suppressed table: each form
    bound = TEMPLATES[code].sensitivity
    assert bound == 2
    assert count_table(request, people_bound=bound).population == 2
    measurement = dp.laplace_measurement(0.5, bound)
    assert measurement.map(bound) <= 0.5  # type: ignore[no-untyped-call]
    assert dp.noise_scale(0.5, 2) == pytest.approx(2 * dp.noise_scale(0.5, 1), rel=0.05)


def test_a_dp_release_spends_its_epsilon_once_from_its_scope_and_is_not_a_viewing(
    app: Flask,
) -> None:
    thailand(30)
    user = coordinator()
    templates = ["victims_by_gender", "victims_by_age_band", "sdg_16_2_2"]
    results = build_report(user, Period("2026-Q3"), templates, "dp", TODAY)  # type: ignore[arg-type]
    assert all(r.release is not None for r in results)
    epsilon, budget = app.config["REPORT_DP_EPSILON"], app.config["REPORT_DP_BUDGET"]
    assert budget_status(2026, budget, "country:TH").spent == pytest.approx(epsilon)
    assert budget_status(2026, budget).spent == 0  # the region's budget is another one
    again = build_report(user, Period("2026-Q3"), templates, "dp", TODAY)  # type: ignore[arg-type]
    assert [r.release.id for r in again] == [r.release.id for r in results]  # type: ignore[union-attr]
    assert budget_status(2026, budget, "country:TH").spent == pytest.approx(epsilon)
    for result in results:
        published = result.published
        assert published is not None
        assert published.hidden_cells == 0
        assert published.intervals is not None
        assert TOTAL in published.row_codes


def test_the_supervisor_learns_no_few_people_of_other_agencies_from_any_figure(
    app: Flask,
) -> None:
    """The same supervisor, now solving for every figure (hidden ones and margins too) with
    integer programming: the other agencies' people behind a figure are never pinned to
    1..k-1, and behind a hidden figure never narrowed to fewer than k values either (a
    published figure minus one's own is the others' count give or take the rounding, which
    is published anyway when it is k or more)."""
    from tests.reports.linked_oracle import others_intervals

    police = make_agency("KH police", country="KH")
    centre = make_agency("KH counselling centre", country="KH")
    shelter = make_agency("KH shelter", country="KH")
    forms = ("ForcedLabour", "SexualExploitation", "ForcedMarriage")
    for i in range(45):
        counted_case(
            police, identified_on=date(2026, 7 + i % 3, 1 + i % 28), exploitation=(forms[i % 3],)
        )
    counted_case(centre, identified_on=date(2026, 9, 12), exploitation=("SexualExploitation",))
    for i in range(12):
        counted_case(shelter, identified_on=date(2026, 8, 1 + i), exploitation=("ForcedLabour",))
    db.session.flush()
    user = coordinator("KH")
    code = "victims_by_exploitation_type"
    [country] = build_report(user, Period("2026-Q3"), [code], "standard", TODAY)  # type: ignore[arg-type]
    assert country.published is not None
    own = ReportRequest(code, "cases", Scope(AGENCY, str(police.id)), Period("2026-Q3"), "standard")
    own_grid = extend(count_table(own).counts)[0]
    k, base = app.config["REPORT_K"], app.config["REPORT_ROUNDING_BASE"]
    values = country.published.values
    for position, (low, high) in others_intervals(values, own_grid, k, base).items():
        assert not (low >= 1 and high <= k - 1), position
        if values[position[0]][position[1]] is None:
            assert low == 0 or high - low >= k - 1, (position, low, high)
