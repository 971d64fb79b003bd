"""The roles' real journeys in headless Chromium through the live server, each page reached
saved as a screenshot (build/screenshots/<journey>/NN-page.png) and audited with axe-core (no
serious or critical violation):

1. a caseworker registers a case, records the person's consent to share with a counselling
   agency in another country, and refers the case there: the referral shows as pending;
2. a partner of that agency accepts the referral from the inbox and records a counselling
   service and a session; the case's caseworker sees both on the case page;
3. a caseworker requests closure and a supervisor approves it: the case shows Closed;
4. a coordinator builds the quarterly regional report, downloads the signed release, and
   `flask release verify` (with the server's environment) accepts it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import expect

from casework import ROOT
from casework.cases.models import Case
from casework.core.extensions import db
from casework.policy import Role
from casework.reports.models import CoordinatorScope
from tests import factories
from tests.e2e.journey_steps import (
    account,
    case_id_from,
    make_agencies,
    open_as,
    server_environment,
)

__all__ = ["open_as"]  # the fixture, used by name

DAY = "2026-03-14"  # a past date: identification, consents, services


def _section(page: Any, heading: str) -> Any:
    return (
        page.locator("section, div.card")
        .filter(has=page.get_by_role("heading", name=heading, exact=True))
        .first
    )


def test_caseworker_registers_a_case_and_refers_it(open_as, audit) -> None:
    agencies = make_agencies()
    caseworker = account(Role.CASEWORKER, agencies.referring)
    page = open_as(caseworker)
    audit(page, "home")

    page.get_by_role("link", name="Register a case").first.click()
    page.wait_for_url("**/cases/new")
    audit(page, "register form")
    page.get_by_label("The person (or their guardian) agrees").check()
    page.get_by_label("How consent was given").select_option("signed_form")
    page.get_by_label("Date consent was given").fill(DAY)
    page.get_by_label("Full name").fill("Sokha Chan")
    page.get_by_label("Date of birth").fill("2001-05-17")
    page.get_by_label("Citizenship").fill("Cambodia")
    page.get_by_label("Identification date").fill(DAY)
    page.get_by_label("Identified through").select_option("police")
    page.get_by_label("Risk level").select_option("high")
    page.get_by_role("button", name="Register the case").click()
    page.wait_for_url(lambda url: "/cases/new" not in url)
    case_id = case_id_from(page.url)
    expect(page.get_by_text("Sokha Chan").first).to_be_visible()
    audit(page, "case registered")

    page.get_by_role("link", name="Record a consent").first.click()
    audit(page, "consent form")
    page.get_by_label("Sharing with a named agency").check()
    page.get_by_label("Agency named in the consent").select_option(str(agencies.counselling.id))
    page.get_by_label("Date the consent was given").fill(DAY)
    page.get_by_label("Signed form", exact=True).check()
    page.locator("main form [type=submit]").first.click()
    page.wait_for_url(f"**/cases/{case_id}")
    audit(page, "consent recorded")

    page.get_by_role("link", name="Refer to another agency").first.click()
    audit(page, "referral form")
    find = page.get_by_role("region", name="Find an agency")
    find.get_by_label("Psychosocial counselling").check()  # the services: asked once, here
    find.get_by_role("button", name="Show matching agencies").click()
    refer = page.get_by_role("region", name="Refer")
    expect(refer).to_contain_text("Psychosocial counselling")
    refer.get_by_label("Receiving agency", exact=True).select_option(str(agencies.counselling.id))
    refer.get_by_label("Urgency").select_option("urgent")
    refer.get_by_label("Reason for the referral").fill("Needs counselling after rescue.")
    refer.locator("[type=submit]").click()
    page.wait_for_url("**/referrals/*")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pending")
    audit(page, "referral sent")

    page.goto(f"/cases/{case_id}")
    referrals = _section(page, "Referrals")
    expect(referrals).to_contain_text(agencies.counselling.name)
    expect(referrals).to_contain_text("Pending")
    audit(page, "case with pending referral")
    db.session.expire_all()
    case = db.session.get(Case, uuid.UUID(case_id))
    assert case is not None
    assert [r.status for r in case.referrals] == ["pending"]


def test_partner_accepts_the_referral_and_records_counselling(open_as, audit) -> None:
    agencies = make_agencies()
    caseworker = account(Role.CASEWORKER, agencies.referring)
    partner = account(Role.PARTNER, agencies.counselling)
    case = factories.make_case(agencies.referring, assigned_to=caseworker.user)
    factories.make_referral(case, agencies.counselling, created_by=caseworker.user)
    case_id, reference = case.id, case.reference

    page = open_as(partner)
    page.get_by_role("link", name="Incoming referrals").first.click()
    page.wait_for_url("**/referrals/inbox*")
    audit(page, "inbox")
    page.get_by_role("row").filter(has_text=reference).get_by_role("link").first.click()
    page.wait_for_url("**/referrals/*")
    audit(page, "referral to answer")
    page.get_by_role("button", name="Accept referral").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accepted")
    audit(page, "referral accepted")

    page.get_by_role("link", name="Record a service").first.click()
    audit(page, "service form")
    page.get_by_label("Service", exact=True).select_option("psychosocial_counselling")
    page.get_by_label("Status", exact=True).select_option("in_progress")
    page.get_by_label("Start date").fill(DAY)
    page.locator("main form [type=submit]").first.click()
    page.wait_for_url("**/services/*")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Psychosocial counselling")
    audit(page, "service recorded")

    page.get_by_role("link", name="Record a counselling session").click()
    audit(page, "session form")
    page.get_by_label("Date of the session").fill(DAY)
    page.get_by_label("Duration (minutes)").fill("50")
    page.get_by_label("Counsellor").select_option(str(partner.user.id))
    page.get_by_label("How it was held").select_option("in_person")
    page.get_by_label("Session notes").fill("First session: trust built, sleep troubled.")
    page.locator("main form [type=submit]").first.click()
    sessions = _section(page, "Counselling sessions")
    expect(sessions).to_contain_text("In person")
    # The day in the reader's format (casework/web/dates.py), whichever it is.
    expect(sessions).to_contain_text(re.compile(r"Mar 14, 2026|14 Mar 2026|2026-03-14"))
    audit(page, "session recorded")

    page = open_as(caseworker)
    page.goto(f"/cases/{case_id}")
    services = _section(page, "Support and services")
    row = services.get_by_role("row").filter(has_text="Psychosocial counselling")
    expect(row).to_contain_text(agencies.counselling.name)
    expect(row).to_contain_text("In progress")
    expect(row.get_by_role("cell").last).to_have_text("1")  # one session
    audit(page, "caseworker sees the service")
    row.get_by_role("link", name="Psychosocial counselling").click()
    expect(_section(page, "Counselling sessions")).to_contain_text("In person")
    audit(page, "caseworker sees the session")


def test_supervisor_approves_a_closure_the_caseworker_requested(open_as, audit) -> None:
    agencies = make_agencies()
    caseworker = account(Role.CASEWORKER, agencies.referring)
    supervisor = account(Role.SUPERVISOR, agencies.referring)
    case = factories.make_case(agencies.referring, assigned_to=caseworker.user)
    case_id, reference = case.id, case.reference
    db.session.commit()

    page = open_as(caseworker)
    page.get_by_role("link", name="My cases").first.click()
    audit(page, "my cases")
    page.get_by_role("link", name=reference).first.click()
    page.wait_for_url(f"**/cases/{case_id}")
    audit(page, "case")
    page.get_by_role("link", name="Request closure").first.click()
    audit(page, "closure request form")
    page.get_by_label("Reason for closure").select_option("goals_met")
    page.get_by_label("Closed", exact=True).check()
    page.locator("main form [type=submit]").first.click()
    page.wait_for_url(f"**/cases/{case_id}")
    closure = _section(page, "Closure")
    expect(closure).to_contain_text("Awaiting a supervisor's decision")
    audit(page, "closure requested")

    page = open_as(supervisor)
    page.get_by_role("link", name="Closure requests").first.click()
    audit(page, "closure requests")
    page.get_by_role("row").filter(has_text=reference).get_by_role("link", name="Decide").click()
    audit(page, "closure decision form")
    page.get_by_label("Approve: close the case").check()
    page.locator("main form [type=submit]").first.click()
    page.wait_for_url(f"**/cases/{case_id}")
    expect(_section(page, "Closure")).to_contain_text("Closed on")
    expect(_section(page, "Closure")).to_contain_text("Support plan goals met")
    audit(page, "case closed")

    db.session.expire_all()
    closed = db.session.get(Case, case_id)
    assert closed is not None
    assert closed.status == "Closed"


def _quarter_of_cases(agencies: Any) -> None:
    """Enough cases in 2026-Q1 for some figures to be published (cells under k are hidden)."""
    for day in range(14):
        factories.make_case(agencies.referring, identified_on=date(2026, 1, 5 + day))
    for day in range(12):
        case = factories.make_case(
            agencies.counselling, citizenship="VN", identified_on=date(2026, 3, 2 + day)
        )
        if day < 2:
            factories.make_referral(case, agencies.referring, status="accepted")


def test_coordinator_downloads_a_signed_release_that_verifies(
    app: Flask, open_as, audit, tmp_path: Path
) -> None:
    agencies = make_agencies()
    _quarter_of_cases(agencies)
    office = factories.make_agency(
        "Regional coordination office", country="TH", org_type="InternationalOrganisation"
    )
    coordinator = account(Role.COORDINATOR, office)
    db.session.add(CoordinatorScope(user_id=coordinator.user.id, country=None))  # the region

    page = open_as(coordinator)
    page.get_by_role("link", name="Reports").first.click()
    page.wait_for_url("**/reports/regional*")
    audit(page, "reports dashboard")
    page.get_by_role("link", name="Build a report").click()
    page.wait_for_url("**/reports/regional/report*")
    audit(page, "report builder")
    page.get_by_label("Period").select_option("2026-Q1")
    page.get_by_role("button", name="Show report").click()
    page.wait_for_url("**period=2026-Q1*")
    audit(page, "report not yet built")
    page.get_by_role("button", name="Build the report").click()
    page.wait_for_url("**period=2026-Q1*")
    expect(page.get_by_role("heading", name="Victims identified, by citizenship")).to_be_visible()
    audit(page, "report built")

    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download signed release").click()
    download = waiting.value
    assert download.suggested_filename.endswith(".zip")
    release = tmp_path / download.suggested_filename
    download.save_as(release)

    verify = [sys.executable, "-m", "flask", "--app", "wsgi", "release", "verify"]
    env = server_environment(app)
    verified = subprocess.run(
        [*verify, str(release)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert verified.returncode == 0, verified.stderr
    assert "Release verified" in verified.stdout

    tampered = bytearray(release.read_bytes())  # one byte changed: refused
    tampered[len(tampered) // 2] ^= 0x01
    release.write_bytes(bytes(tampered))
    refused = subprocess.run(
        [*verify, str(release)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 1, refused.stdout
    assert "Release NOT verified" in refused.stderr
