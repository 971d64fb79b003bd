"""The top of the case page and the home queues, in Chromium at desktop (1366x768) and phone
(390x844) size (issue 16, decision 0115): the overview and the action bar on a phone without
horizontal overflow, the consents' Withdraw on the screen; each page audited with axe."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from casework.core.db import utcnow
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.e2e.conftest import sign_in_page

SIZES = {"desktop": (1366, 768), "phone": (390, 844)}


@pytest.fixture
def open_at(browser: Any, live_server: str) -> Iterator[Callable[..., Any]]:
    """`open_at(account, size)`: a page of a new browser context of that size, signed in."""
    contexts: list[Any] = []

    def _open(account: factories.Account, size: str) -> Any:
        width, height = SIZES[size]
        context = browser.new_context(
            base_url=live_server, locale="en-GB", viewport={"width": width, "height": height}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        sign_in_page(page, account)
        return page

    yield _open
    for context in contexts:
        context.close()


def assert_no_horizontal_overflow(page: Any) -> None:
    widths = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url}: {widths[0]} px wide in {widths[1]} px"


def _case_with_consents(worker: factories.Account) -> Any:
    case = factories.make_case(
        worker.user.agency, assigned_to=worker.user, full_name="Nguyen Thi Hoa Phuong Lan"
    )
    case.person.languages = "Vietnamese, Khmer"
    factories.make_consent(case)
    for _ in range(2):
        factories.make_consent(case, "sharing", agency=factories.make_agency())
    db.session.commit()
    return case


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_case_overview_and_action_bar(open_at: Any, audit: Any, size: str) -> None:
    worker = factories.make_user(Role.CASEWORKER)
    case = _case_with_consents(worker)
    page = open_at(worker, size)
    page.goto(f"/cases/{case.id}")
    audit(page, f"case page {size}")
    assert_no_horizontal_overflow(page)
    overview = page.get_by_role("region", name="Overview")
    assert "Nguyen Thi Hoa Phuong Lan" in overview.inner_text()
    bar = page.get_by_role("navigation", name="Actions on this case")
    for label in ("Refer to another agency", "Record a service", "Attach a file", "Add a note"):
        assert bar.get_by_role("link", name=label).is_visible()
    # The bar is on the first screen, and stays in reach further down.
    _width, height = SIZES[size]
    assert bar.bounding_box()["y"] < height
    page.locator("#section-timeline").scroll_into_view_if_needed()
    box = bar.bounding_box()
    assert box is not None
    assert 0 <= box["y"] < height
    # Every Withdraw of the consents table is on the screen (none pushed off to the right).
    withdraws = page.get_by_role("link", name="Withdraw")
    assert withdraws.count() == 3
    width = SIZES[size][0]
    for index in range(withdraws.count()):
        withdraws.nth(index).scroll_into_view_if_needed()
        box = withdraws.nth(index).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= width
    # A jump link takes the reader to its section.
    page.get_by_role("navigation", name="Sections of this case").get_by_role(
        "link", name="Consents"
    ).click()
    assert page.url.endswith("#section-consents")


def test_a_partner_on_a_phone_sees_the_overview_its_referral_allows(
    open_at: Any, audit: Any
) -> None:
    home = factories.make_agency()
    partner_agency = factories.make_agency()
    partner = factories.make_user(Role.PARTNER, partner_agency)
    case = factories.make_case(home, full_name="Hidden Person Name")
    factories.make_consent(case)
    factories.make_referral(case, partner_agency, status="accepted")
    db.session.commit()
    page = open_at(partner, "phone")
    page.goto(f"/cases/{case.id}")
    audit(page, "case page partner phone")
    assert_no_horizontal_overflow(page)
    assert "Hidden Person Name" not in page.content()
    bar = page.get_by_role("navigation", name="Actions on this case")
    assert bar.get_by_role("link", name="Record a service").is_visible()
    assert bar.get_by_role("link", name="Refer to another agency").count() == 0


# ---- the home page of each role, most pressing first ----------------------------------------


def _ordered(page: Any, texts: list[str]) -> None:
    body = page.locator("main").inner_text()
    positions = [body.index(text) for text in texts]
    assert positions == sorted(positions), texts


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_caseworker_home_by_urgency_then_risk(open_at: Any, audit: Any, size: str) -> None:
    from tests.main.test_home_queues import _worker_with_cases

    worker, _cases = _worker_with_cases()
    page = open_at(worker, size)
    audit(page, f"caseworker home {size}")
    assert_no_horizontal_overflow(page)
    _ordered(page, ["Missed Person", "Critical Risk Person", "Low Risk Person"])
    tasks = page.get_by_role("list", name="Tasks, the most urgent first")
    tasks.get_by_role("button", name="Done").first.click()
    page.wait_for_load_state("load")
    assert "Task marked done." in page.locator("main").inner_text()
    assert "Missed Person" not in page.locator("main").inner_text()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_supervisor_home_decisions_unassigned_caseload(open_at: Any, audit: Any, size: str) -> None:
    supervisor = factories.make_user(Role.SUPERVISOR)
    agency = supervisor.user.agency
    worker = factories.make_user(Role.CASEWORKER, agency)
    case = factories.make_case(agency, assigned_to=worker.user, full_name="Closing Person")
    case.closure_requested_at = utcnow()
    case.closure_requested_by_id = worker.user.id
    case.closure_requested_status = "Closed"
    case.closure_reason = "goals_met"
    factories.make_case(agency, full_name="Low Unassigned", risk_level="low")
    factories.make_case(agency, full_name="Critical Unassigned", risk_level="critical")
    db.session.commit()
    page = open_at(supervisor, size)
    audit(page, f"supervisor home {size}")
    assert_no_horizontal_overflow(page)
    _ordered(
        page,
        [
            "Tasks",
            "Closure requests",
            "Closing Person",
            "Unassigned cases",
            "Critical Unassigned",
            "Low Unassigned",
            "Caseload per worker",
            worker.user.name,
        ],
    )


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_partner_home_incoming_referrals_urgent_first(open_at: Any, audit: Any, size: str) -> None:
    home = factories.make_agency(name="Referring Police")
    partner_agency = factories.make_agency()
    partner = factories.make_user(Role.PARTNER, partner_agency)
    routine_case = factories.make_case(home, full_name="Routine Secret")
    emergency_case = factories.make_case(home, full_name="Emergency Secret")
    for case in (routine_case, emergency_case):
        factories.make_consent(case)
    routine = factories.make_referral(routine_case, partner_agency, urgency="routine")
    routine.created_at = utcnow() - timedelta(days=1)
    factories.make_referral(emergency_case, partner_agency, urgency="emergency")
    db.session.commit()
    page = open_at(partner, size)
    audit(page, f"partner home {size}")
    assert_no_horizontal_overflow(page)
    _ordered(
        page, ["Incoming referrals", emergency_case.reference, routine_case.reference, "Tasks"]
    )
    assert "Secret" not in page.content()
