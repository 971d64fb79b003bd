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


# ---- every page a role reaches, on a phone: nothing wider than the screen --------------------


def _world_for_walk() -> dict[str, factories.Account]:
    """Two agencies, a case with consents, an accepted referral, a service with sessions, so
    that each role's walk reaches the case, referral and service pages."""
    from casework.referrals import operations as referral_ops
    from casework.services import operations as service_ops

    home = factories.make_agency(name="Anti-trafficking police unit with a long name")
    ngo = factories.make_agency(name="Counselling centre")
    ngo.services_offered = ["psychosocial_counselling"]
    worker = factories.make_user(Role.CASEWORKER, home)
    supervisor = factories.make_user(Role.SUPERVISOR, home)
    partner = factories.make_user(Role.PARTNER, ngo)
    case = factories.make_case(
        home, assigned_to=worker.user, full_name="Nguyễn Thị Hoa Phương Lan Anh Trần"
    )
    factories.make_consent(case)
    referral = factories.make_referral(
        case, ngo, shared_groups=("identity_contact", "trafficking_context", "health_notes")
    )
    referral_ops.accept_referral(partner.user, referral)
    record = service_ops.create_service_record(
        partner.user,
        case,
        service_type="psychosocial_counselling",
        status="in_progress",
        start_on=utcnow().date() - timedelta(days=10),
        due_on=utcnow().date() + timedelta(days=10),
    )
    service_ops.record_session(
        partner.user,
        record,
        held_on=utcnow().date() - timedelta(days=1),
        duration_minutes=45,
        counsellor_id=str(partner.user.id),
        modality="in_person",
        next_appointment_on=utcnow().date() + timedelta(days=2),
    )
    db.session.commit()
    return {"caseworker": worker, "supervisor": supervisor, "partner": partner}


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "partner"])
def test_every_page_fits_a_phone(app: Any, open_at: Any, live_server: str, role: str) -> None:
    from urllib.parse import urljoin, urlsplit

    from tests.e2e.conftest import SKIPPED_PATHS, route_key

    account = _world_for_walk()[role]
    page = open_at(account, "phone")
    queue, seen, checked = [urljoin(live_server, "/")], set(), {}
    while queue and len(checked) < 40:
        url = queue.pop(0).split("#", 1)[0]
        path = urlsplit(url).path
        if url in seen or path.startswith(SKIPPED_PATHS):
            continue
        seen.add(url)
        key = route_key(app, url)
        if key is None or key in checked:
            continue
        response = page.goto(url)
        if response is None or response.status != 200 or path.startswith("/sign-in"):
            continue
        assert not urlsplit(page.url).path.startswith("/sign-in"), "the session ended"
        checked[key] = url
        assert_no_horizontal_overflow(page)
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        queue.extend(h for h in hrefs if h.startswith(live_server))
    assert "cases.view_case" in checked
    assert len(checked) >= 8, sorted(checked)
