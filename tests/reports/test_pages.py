"""Reports in the running app: real cases, GROUP BY counts, scopes, pages, downloads, the
signed release, and a coordinator who can reach no case, referral or person."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select

from casework.cases.scopes import visible_cases
from casework.core.extensions import db
from casework.encryption import keys
from casework.policy import Action, Role, can
from casework.referrals.scopes import visible_referrals
from casework.reports.models import CoordinatorScope, ReportRelease
from casework.reports.package import verify_package
from casework.reports.queries import count_table, population_snapshot
from casework.reports.request import COUNTRY, REGION, Period, ReportRequest, Scope
from tests.conftest import csrf_token
from tests.factories import make_agency, make_referral
from tests.reports.factories import counted_case


def seed() -> dict[str, object]:
    th = make_agency("TH police", country="TH")
    kh = make_agency("KH shelter", country="KH")
    for i in range(14):
        counted_case(th, citizenship="KH", gender="Feminine", identified_on=date(2026, 1, 5 + i))
    for i in range(3):
        counted_case(th, citizenship="MM", gender="Masculine", identified_on=date(2026, 2, 3 + i))
    for i in range(12):
        case = counted_case(
            kh, citizenship="VN", gender="Feminine", identified_on=date(2026, 3, 2 + i)
        )
        if i < 2:
            make_referral(case, th, status="accepted")
    db.session.commit()
    return {"th": th, "kh": kh}


def request(template: str, scope: Scope, period: str = "2026-Q1") -> ReportRequest:
    from casework.reports.templates import TEMPLATES

    return ReportRequest(template, TEMPLATES[template].unit, scope, Period(period), "standard")


def test_counts_come_from_group_by_over_coded_fields(app: Flask) -> None:
    seed()
    table = count_table(request("victims_by_citizenship", Scope(REGION)))
    assert table.column_codes == ("2026-01", "2026-02", "2026-03")
    by_row = dict(zip(table.row_codes, table.counts, strict=True))
    assert by_row["KH"] == (14, 0, 0)
    assert by_row["MM"] == (0, 3, 0)
    assert by_row["VN"] == (0, 0, 12)
    assert table.population == 29
    th_only = count_table(request("victims_by_citizenship", Scope(COUNTRY, "TH")))
    assert th_only.population == 17
    exploitation = count_table(request("victims_by_exploitation_type", Scope(REGION)))
    assert dict(zip(exploitation.row_codes, exploitation.counts, strict=True))["ForcedLabour"] == (
        14,
        3,
        12,
    )


def test_a_population_snapshot_changes_with_any_one_person(app: Flask) -> None:
    """The snapshot that keys the rounding: the same while nothing changes, another one
    when one person is added, withdraws, or is re-coded."""
    agencies = seed()
    region = request("victims_by_gender", Scope(REGION))
    th = request("victims_by_gender", Scope(COUNTRY, "TH"))
    first = population_snapshot(region)
    assert first[0] == 29
    assert population_snapshot(th)[0] == 17
    assert population_snapshot(region) == first
    late = counted_case(agencies["th"], identified_on=date(2026, 2, 20))  # type: ignore[arg-type]
    db.session.flush()
    second = population_snapshot(region)
    assert second != first
    late.gender = "Masculine"
    db.session.flush()
    third = population_snapshot(region)
    assert third not in (first, second)
    for consent in late.consents:
        consent.withdrawn_at = datetime.now(UTC)
    db.session.flush()
    assert population_snapshot(region)[0] == 29


def test_coordinator_builds_downloads_and_verifies_the_quarterly_report(
    app: Flask, login_as, tmp_path
) -> None:
    seed()
    client, account = login_as(Role.COORDINATOR)
    db.session.add(CoordinatorScope(user_id=account.user.id, country=None))
    db.session.commit()
    page = client.get("/reports/regional/report?period=2026-Q1")
    assert page.status_code == 200
    assert "Build the report" in page.get_data(as_text=True)
    assert client.get("/reports/regional/report.csv?period=2026-Q1").status_code == 302

    token = csrf_token(client, "/reports/regional/report?period=2026-Q1")
    built = client.post(
        "/reports/regional/report",
        data={"period": "2026-Q1", "mode": "standard", "csrf_token": token},
    )
    assert built.status_code == 302
    html = client.get("/reports/regional/report?period=2026-Q1").get_data(as_text=True)
    assert "Victims identified, by citizenship" in html
    assert "hidden to protect confidentiality" in html  # MM's 3 people are hidden
    assert "cells are hidden (x)" in html

    csv_rows = list(
        csv.reader(
            io.StringIO(
                client.get("/reports/regional/report.csv?period=2026-Q1")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    assert ["k", "10"] in csv_rows
    assert any(row and row[0].startswith("Myanmar") and "x" in row for row in csv_rows)
    data = json.loads(client.get("/reports/regional/report.json?period=2026-Q1").data)
    assert data["metadata"]["period"] == "2026-Q1"
    for table in data["tables"]:
        if table["statistic"] == "median":
            continue  # days, not counts (tests/reports/test_medians.py)
        for row in table["values"]:
            assert all(v is None or v == 0 or v >= 10 for v in row)
    xlsx = client.get("/reports/regional/report.xlsx?period=2026-Q1")
    assert xlsx.status_code == 200
    assert xlsx.data[:2] == b"PK"

    package = client.get("/reports/regional/release.zip?period=2026-Q1")
    assert package.status_code == 200
    with app.app_context():
        public = keys.keyring().signing_private_key().public_key()
    verified = verify_package(package.data, public)
    assert set(verified.files) == {"report.csv", "report.json", "report.xlsx"}
    path = tmp_path / "release.zip"
    path.write_bytes(package.data)
    result = app.test_cli_runner().invoke(args=["release", "verify", str(path)])
    assert result.exit_code == 0, result.output

    # The same report again: same figures, no new releases.
    count = db.session.scalar(select(func.count()).select_from(ReportRelease))
    token = csrf_token(client, "/reports/regional/report?period=2026-Q1")
    client.post(
        "/reports/regional/report",
        data={"period": "2026-Q1", "mode": "standard", "csrf_token": token},
    )
    assert db.session.scalar(select(func.count()).select_from(ReportRelease)) == count
    assert (
        client.get("/reports/regional/report.json?period=2026-Q1").data
        == json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode() + b"\n"
    )


def test_dashboard_draws_accessible_svg_charts_with_tables(app: Flask, login_as) -> None:
    from casework.reports.charts import bar_chart
    from casework.reports.disclosure import PublishedTable

    table = PublishedTable(
        "t",
        "standard",
        ("A", "B", "_total"),
        ("2026-01", "_total"),
        ((40, 40), (None, None), (55, 55)),
        10,
        5,
        None,
        2,
        ("suppressed",),
    )
    chart = bar_chart(table, ("A", "B", "Total"))
    assert [(b.label, b.value) for b in chart.bars] == [("A", 40), ("B", None)]
    assert chart.bars[0].width == 360
    client, account = login_as(Role.COORDINATOR)
    db.session.add(CoordinatorScope(user_id=account.user.id, country=None))
    db.session.commit()
    page = client.get("/reports/regional").get_data(as_text=True)
    assert "Prepare the figures" in page
    token = csrf_token(client, "/reports/regional")
    period = page.split('name="period" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/reports/regional/dashboard",
        data={"period": period, "mode": "standard", "csrf_token": token},
    )
    page = client.get("/reports/regional").get_data(as_text=True)
    assert "Prepare the figures" not in page
    assert "Nothing to report" not in page or "<svg" not in page
    # Only the page's own local script files (Bootstrap, the drafts script); no inline script
    # and none from elsewhere: the charts are plain SVG.
    assert page.count("<script") == page.count('<script src="/')


def test_supervisor_sees_only_their_agency_and_no_dp_mode(app: Flask, login_as) -> None:
    agencies = seed()
    client, _account = login_as(Role.SUPERVISOR, agency=agencies["kh"])
    token = csrf_token(client, "/reports/agency/report?period=2026-Q1")
    client.post(
        "/reports/agency/report",
        data={"period": "2026-Q1", "mode": "standard", "csrf_token": token},
    )
    data = json.loads(client.get("/reports/agency/report.json?period=2026-Q1").data)
    citizenship = next(t for t in data["tables"] if t["template"] == "victims_by_citizenship")
    # Only KH shelter's cases: its 12 people, all Vietnamese. Every other row is hidden (a
    # true zero is hidden like a small count; the grid has every listed country), and so is
    # the VN row: "12 of 12 are Vietnamese" would state every person's citizenship.
    rows = {
        r["code"]: values
        for r, values in zip(citizenship["rows"], citizenship["values"], strict=True)
    }
    assert rows["_total"][-1] in (10, 15)  # the 12 people, rounded
    others = [values[-1] for code, values in rows.items() if code != "_total"]
    assert len(others) > 10
    assert all(value is None for value in others)
    assert client.get("/reports/agency/report?period=2026-Q1&mode=dp").status_code == 404
    assert client.get("/reports/regional").status_code == 404
    assert client.get("/reports/regional/release.zip?period=2026-Q1").status_code == 404


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.PARTNER, Role.ADMIN])
def test_other_roles_reach_no_report(app: Flask, login_as, role: Role) -> None:
    client, _ = login_as(role)
    for path in (
        "/reports/agency",
        "/reports/regional",
        "/reports/regional/report.csv?period=2026-Q1",
    ):
        assert client.get(path).status_code == 404


def test_coordinator_never_reaches_a_case_referral_or_person(app: Flask, login_as) -> None:
    seed()
    _client, account = login_as(Role.COORDINATOR)
    from casework.cases.models import Case

    case = db.session.scalars(select(Case)).first()
    for action in (
        Action.VIEW_CASE,
        Action.VIEW_REFERRAL,
        Action.VIEW_SERVICES,
        Action.VIEW_ATTACHMENT,
    ):
        assert not can(account.user, action, case)
    assert db.session.scalars(visible_cases(account.user)).all() == []
    assert db.session.scalars(visible_referrals(account.user)).all() == []


def test_coordinator_scope_defaults_to_their_agency_country(app: Flask, login_as) -> None:
    from casework.reports.service import scope_of

    _client, account = login_as(Role.COORDINATOR)
    assert scope_of(account.user) == Scope(COUNTRY, account.user.agency.country)
    db.session.add(CoordinatorScope(user_id=account.user.id, country="KH"))
    assert scope_of(account.user) == Scope(COUNTRY, "KH")


def test_thin_data_hides_everything_and_says_so_plainly(app: Flask, login_as) -> None:
    th = make_agency("TH police", country="TH")
    for i in range(3):
        counted_case(th, citizenship="KH", identified_on=date(2026, 1, 5 + i))
    client, account = login_as(Role.COORDINATOR)
    db.session.add(CoordinatorScope(user_id=account.user.id, country=None))
    db.session.commit()
    token = csrf_token(client, "/reports/regional/report?period=2026-Q1")
    client.post(
        "/reports/regional/report",
        data={"period": "2026-Q1", "mode": "standard", "csrf_token": token},
    )
    html = client.get("/reports/regional/report?period=2026-Q1").get_data(as_text=True)
    assert "No figure of this report can be shown" in html
    assert "Every figure of this table is hidden" in html
    assert "Nothing to report for this period." in html  # referrals, services: none at all
    data = json.loads(client.get("/reports/regional/report.json?period=2026-Q1").data)
    citizenship = next(t for t in data["tables"] if t["template"] == "victims_by_citizenship")
    assert all(v in (None, 0) for row in citizenship["values"] for v in row)
    assert citizenship["notes"][0].startswith("Every figure of this table is hidden")
    services = next(t for t in data["tables"] if t["template"] == "services_by_type")
    assert services["values"] == []
    # An empty table is a sentence, not a table with headings and no rows.
    assert html.count("<table") == sum(1 for t in data["tables"] if t["values"])


def test_a_report_with_figures_does_not_claim_nothing_can_be_shown(app: Flask, login_as) -> None:
    seed()
    client, account = login_as(Role.COORDINATOR)
    db.session.add(CoordinatorScope(user_id=account.user.id, country=None))
    db.session.commit()
    token = csrf_token(client, "/reports/regional/report?period=2026-Q1")
    client.post(
        "/reports/regional/report",
        data={"period": "2026-Q1", "mode": "standard", "csrf_token": token},
    )
    html = client.get("/reports/regional/report?period=2026-Q1").get_data(as_text=True)
    assert "No figure of this report can be shown" not in html


def test_after_a_dp_release_suppressed_tables_are_no_longer_offered(app: Flask, login_as) -> None:
    seed()
    client, account = login_as(Role.COORDINATOR)
    db.session.add(CoordinatorScope(user_id=account.user.id, country=None))
    db.session.commit()
    page = client.get("/reports/regional/report?period=2026-Q1").get_data(as_text=True)
    modes = page.split('name="mode"')[1].split("</select>")[0]
    assert 'value="standard"' in modes
    assert re.search(r'<option[^>]*selected[^>]*value="dp"', modes)  # the default
    token = csrf_token(client, "/reports/regional/report?period=2026-Q1")
    client.post(
        "/reports/regional/report",
        data={"period": "2026-Q1", "mode": "dp", "csrf_token": token},
    )
    page = client.get("/reports/regional/report?period=2026-Q1").get_data(as_text=True)
    modes = page.split('name="mode"')[1].split("</select>")[0]
    assert 'value="standard"' not in modes
    assert "SDG 16.2.2" in page
    assert "95% interval" in page


def _downloaded_name(response) -> str:
    match = re.fullmatch(r'attachment; filename="([^"]+)"', response.headers["Content-Disposition"])
    assert match, response.headers["Content-Disposition"]
    return match[1]


def test_a_download_is_named_by_the_build_it_holds(app: Flask, login_as) -> None:
    """Downloaded before and after "Build the report", a report gave two different files
    with one name (issue 16). Refused before any build; then named by the build's time and a
    digest of its releases: the same build gives the same name and bytes, another build
    another name."""
    seed()
    client, account = login_as(Role.COORDINATOR)
    db.session.add(CoordinatorScope(user_id=account.user.id, country=None))
    db.session.commit()
    url = "/reports/regional/report.csv?period=2026-Q1&mode=standard"
    refused = client.get(url)
    assert refused.status_code == 302  # nothing built: back to the report, which offers it
    assert "report" in refused.headers["Location"]

    def build(path: str, page: str) -> None:
        token = csrf_token(client, page)
        answer = client.post(
            path, data={"period": "2026-Q1", "mode": "standard", "csrf_token": token}
        )
        assert answer.status_code == 302

    build("/reports/regional/dashboard", "/reports/regional")  # a few tables only
    first, again = client.get(url), client.get(url)
    assert first.status_code == again.status_code == 200
    name = _downloaded_name(first)
    assert re.fullmatch(r"casework-report-2026-Q1-standard-\d{8}T\d{6}Z-[0-9a-f]{12}\.csv", name)
    assert (_downloaded_name(again), again.data) == (name, first.data)

    build("/reports/regional/report", "/reports/regional/report?period=2026-Q1")
    after = client.get(url)
    assert after.data != first.data, "the whole report holds more tables"
    assert _downloaded_name(after) != name
    json_name = _downloaded_name(
        client.get("/reports/regional/report.json?period=2026-Q1&mode=standard")
    )
    assert json_name == _downloaded_name(after).removesuffix(".csv") + ".json"


def test_age_bands_are_shown_in_age_order(app: Flask, login_as) -> None:
    """Age bands keep the order of age (issue 16: they were sorted by count), in the
    report's table and chart alike, whatever the counts."""
    from casework.vocab import AGE_BANDS

    th = make_agency("TH police", country="TH")
    for band, many in (("48+", 14), ("9-17", 11), ("18-20", 12), ("30-38", 13)):
        for i in range(many):
            case = counted_case(th, identified_on=date(2026, 1, 5 + i))
            case.age_band = band
    db.session.commit()
    client, account = login_as(Role.COORDINATOR)
    db.session.add(CoordinatorScope(user_id=account.user.id, country=None))
    db.session.commit()
    token = csrf_token(client, "/reports/regional/report?period=2026-Q1")
    client.post(
        "/reports/regional/report",
        data={"period": "2026-Q1", "mode": "standard", "csrf_token": token},
    )
    html = client.get("/reports/regional/report?period=2026-Q1&mode=standard").get_data(
        as_text=True
    )
    title = "Victims identified, by age band (CTDC)"
    section = html[html.index(title) :]
    chart = re.search(r'<desc id="[^"]+">(.*?)</desc>', section, re.S)
    assert chart, "the age band table has its chart"
    labels = [str(term.label) for term in AGE_BANDS]
    found = re.findall(r"(?:^|\. )\s*([^:.]+):", chart[1])
    in_chart = [label.strip() for label in found if label.strip() in labels]
    assert in_chart == [label for label in labels if label in in_chart]
    assert len(in_chart) >= 4
    table = section[section.index("<table") : section.index("</table>")]
    in_table = [label for label in labels if f">{label}<" in table]
    assert sorted(in_table, key=table.index) == in_table
    assert len(in_table) >= 4
