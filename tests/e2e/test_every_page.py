"""Every page each role reaches, at a desktop size (1366x768) and a phone's (390x844), with
work to show: cases, referrals pending and accepted, a service record, a closure request and
unread notifications (so the notifications page's buttons are audited too, issue 16). Each
page passes axe-core with no serious or critical violation, and at phone size no page is wider
than the screen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from casework.cases.lifecycle.closure import request_closure
from casework.core.extensions import db
from casework.notifications.operations import link_to, notify
from casework.policy import Role
from casework.reports.models import CoordinatorScope
from casework.services import operations as services
from tests import factories
from tests.e2e.conftest import sign_in_page
from tests.e2e.journey_steps import account, make_agencies

SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
# The innermost elements that reach past the right edge of the screen (for the message).
WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > width + 1)
    .filter((e) => ![...e.children].some((c) => c.getBoundingClientRect().right > width + 1))
    .slice(0, 5)
    .map((e) => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
}"""


@pytest.fixture
def people() -> dict[Role, factories.Account]:
    """One person per role, with work of their own on every list they see."""
    agencies = make_agencies()
    home, partner_agency = agencies.referring, agencies.counselling
    made = {
        Role.CASEWORKER: account(Role.CASEWORKER, home),
        Role.SUPERVISOR: account(Role.SUPERVISOR, home),
        Role.PARTNER: account(Role.PARTNER, partner_agency),
        Role.COORDINATOR: account(Role.COORDINATOR, home),
        Role.ADMIN: account(Role.ADMIN, home),
    }
    worker = made[Role.CASEWORKER].user
    db.session.add(CoordinatorScope(user_id=made[Role.COORDINATOR].user.id, country=None))
    referred = factories.make_case(home, assigned_to=worker, full_name="Sokha Chan")
    factories.make_referral(referred, partner_agency, status="accepted", urgency="urgent")
    waiting = factories.make_case(home, assigned_to=worker, full_name="Kyaw Min")
    factories.make_referral(waiting, partner_agency, status="pending", urgency="emergency")
    closing = factories.make_case(home, assigned_to=worker, full_name="Nguyen Thi Hoa")
    factories.make_case(home, status="Closed", full_name="Somchai Dee")
    db.session.flush()
    services.create_service_record(
        made[Role.PARTNER].user,
        referred,
        service_type="psychosocial_counselling",
        status="in_progress",
        start_on=date(2026, 3, 14),
        due_on=date(2026, 4, 14),
    )
    request_closure(worker, closing, reason="goals_met", status="Closed")
    for role, person in made.items():
        case = referred if role in (Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER) else None
        link = link_to("cases.view_case", case_id=referred.id) if case else "/"
        notify([person.user], "risk_alert" if case else "account_changed", case=case, link=link)
    db.session.commit()
    return made


@pytest.fixture
def open_at(browser: Any, live_server: str) -> Iterator[Callable[[factories.Account, str], Any]]:
    contexts: list[Any] = []

    def _open(person: factories.Account, size: str) -> Any:
        width, height = SIZES[size]
        context = browser.new_context(
            base_url=live_server, locale="en-GB", viewport={"width": width, "height": height}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        sign_in_page(page, person)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_every_page_at_each_size(
    people: dict[Role, factories.Account], open_at, audit_every_page, role: Role, size: str
) -> None:
    page = open_at(people[role], size)
    too_wide: list[str] = []

    def fits(page: Any, endpoint: str) -> None:
        if size == "phone":
            extra = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if extra > 0:
                culprits = page.evaluate(WIDEST)
                too_wide.append(f"{endpoint} ({page.url}): {extra}px too wide: {culprits}")

    audited = audit_every_page(page, "/", check=fits)
    assert "notifications.list_notifications" in audited
    assert too_wide == []
