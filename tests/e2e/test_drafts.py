"""Nothing typed is lost (issue 16), in headless Chromium at desktop (1366x768) and phone
(390x844) size: an interview typed into the registration form survives the idle timeout (the
person signs in again and finds every value), a submit while the network is down keeps the
form and sends it again, and the idle warning offers "Stay signed in" by keyboard. Each page
passes axe (no serious or critical violation); the browser's storage holds nothing."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import func, select

from casework.core.extensions import db
from casework.drafts.models import FormDraft
from casework.policy import Role
from casework.services import operations as service_ops
from tests import factories
from tests.e2e.conftest import sign_in_page

VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
DAY = "2026-03-14"
# What the worker types during the interview: label -> value.
INTERVIEW = {
    "Full name": "Zqe2e Nguyễn Thị Hoa",
    "Other names and spellings": "Hoa Nguyen",
    "Date of birth": "2002-08-09",
    "Citizenship": "Viet Nam",
    "Phone": "+84 91 234 5678",
    "Address": "Zqe2e shelter, room 4",
    "Identification date": DAY,
    "Date consent was given": DAY,
}
SELECTS = {"How consent was given": "verbal_witnessed", "Identified through": "police"}


@pytest.fixture
def page_as(browser: Any, live_server: str) -> Iterator[Callable[..., Any]]:
    """`page_as(account, size)`: that person signed in, in a browser context of that size."""
    contexts: list[Any] = []

    def _open(account: factories.Account, size: str) -> Any:
        db.session.commit()
        context = browser.new_context(
            base_url=live_server, locale="en-GB", viewport=VIEWPORTS[size]
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        sign_in_page(page, account)
        page.account = account  # for signing in again
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture(params=sorted(VIEWPORTS))
def worker_page(request: pytest.FixtureRequest, page_as: Callable[..., Any]) -> Any:
    """A caseworker signed in, in a browser context of the parameter's size."""
    return page_as(factories.make_user(Role.CASEWORKER), request.param)


def _type_interview(page: Any) -> None:
    """Fill the registration form; return once the draft holding the last value is saved."""
    page.get_by_label("The person (or their guardian) agrees").check()
    for label, value in SELECTS.items():
        page.get_by_label(label).select_option(value)
    *first, (last_label, last_value) = INTERVIEW.items()
    for label, value in first:
        page.get_by_label(label, exact=True).fill(value)
    with page.expect_response(
        lambda r: (
            urlsplit(r.url).path == "/drafts"
            and r.request.method == "POST"
            and last_value in (r.request.post_data or "")
        )
    ) as saved:
        page.get_by_label(last_label, exact=True).fill(last_value)
    assert saved.value.status == 200
    expect(page.get_by_text(re.compile("Draft saved"))).to_be_visible()


def _assert_every_value(page: Any) -> None:
    for label, value in INTERVIEW.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    for label, value in SELECTS.items():
        expect(page.get_by_label(label)).to_have_value(value)
    expect(page.get_by_label("The person (or their guardian) agrees")).to_be_checked()


def _nothing_in_browser_storage(page: Any) -> None:
    stored = page.evaluate(
        "() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"
    )
    assert stored == "[[],[]]"


def _sign_in_here(page: Any, account: factories.Account) -> None:
    """The two sign-in steps on the sign-in page the browser is on (keeping its `next`)."""
    page.get_by_label("Email").fill(account.user.email)
    page.get_by_label("Password", exact=True).fill(account.password)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/sign-in/code")
    db.session.expire_all()  # the code used at the first sign-in is known: the next one
    page.get_by_label("One-time code").fill(account.code())
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(lambda url: not urlsplit(url).path.startswith("/sign-in"))


def _drafts() -> int:
    db.session.expire_all()
    return int(db.session.execute(select(func.count(FormDraft.id))).scalar_one())


def test_an_interview_survives_the_idle_timeout(
    app: Flask, worker_page: Any, audit, monkeypatch: pytest.MonkeyPatch
) -> None:
    _interview_across_the_timeout(app, worker_page, audit, monkeypatch)


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_a_supervisors_interview_survives_the_idle_timeout(
    app: Flask, page_as: Callable[..., Any], audit, monkeypatch: pytest.MonkeyPatch, size: str
) -> None:
    page = page_as(factories.make_user(Role.SUPERVISOR), size)
    _interview_across_the_timeout(app, page, audit, monkeypatch)


def _interview_across_the_timeout(
    app: Flask, page: Any, audit: Callable[[Any, str], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    page.goto("/cases/new")
    _type_interview(page)
    audit(page, "interview typed, draft saved")

    # A break in the interview: the session ends (the test app's idle timeout, shortened).
    monkeypatch.setitem(app.config, "IDLE_TIMEOUT_MINUTES", 0.01)
    time.sleep(1.0)
    page.get_by_role("button", name="Register the case").click()
    signed_out = page.get_by_role("alert").filter(has_text="You were signed out")
    expect(signed_out).to_be_visible()
    _assert_every_value(page)  # still on the page, nothing sent
    assert _drafts() == 1
    monkeypatch.setitem(app.config, "IDLE_TIMEOUT_MINUTES", 15)

    signed_out.get_by_role("button", name="Sign in again").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/sign-in" and "next=" in url)
    _sign_in_here(page, page.account)
    assert urlsplit(page.url).path == "/cases/new"  # back to the form it was on
    expect(page.get_by_text(re.compile("was filled in again"))).to_be_visible()
    _assert_every_value(page)
    _nothing_in_browser_storage(page)
    audit(page, "form filled in again after signing in")

    page.goto("/")
    drafts = page.get_by_role("region", name="Your drafts")
    expect(drafts).to_contain_text("Registration of a case")
    expect(drafts).not_to_contain_text("Zqe2e")
    audit(page, "home with your drafts")
    drafts.get_by_role("link", name="Registration of a case").click()
    page.wait_for_url("**/cases/new")
    _assert_every_value(page)

    page.get_by_label("Risk level").select_option("high")
    page.get_by_role("button", name="Register the case").click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}$"))
    expect(page.get_by_text("Zqe2e Nguyễn Thị Hoa").first).to_be_visible()
    assert _drafts() == 0  # saved: the draft is gone
    _nothing_in_browser_storage(page)


def test_a_submit_without_network_is_kept_and_sent_again(worker_page: Any, audit) -> None:
    page = worker_page
    page.goto("/cases/new")
    _type_interview(page)
    page.get_by_label("Risk level").select_option("medium")

    page.context.set_offline(True)
    page.get_by_role("button", name="Register the case").click()
    lost = page.get_by_role("alert").filter(has_text="The connection was lost")
    expect(lost).to_be_visible()
    try_again = lost.get_by_role("button", name="Try again")
    expect(try_again).to_be_focused()
    assert urlsplit(page.url).path == "/cases/new"
    _assert_every_value(page)
    page.context.set_offline(False)
    audit(page, "connection lost at submit, form kept")

    # The connection drops again, this time under the form's own POST: the browser shows its
    # error page; back on the form, the draft fills it in again.
    page.route(
        "**/cases/new",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    with page.expect_event(
        "requestfailed",
        lambda r: r.method == "POST" and urlsplit(r.url).path == "/cases/new",
    ):
        try_again.click()
    page.unroute("**/cases/new")
    page.goto("/cases/new")
    expect(page.get_by_text(re.compile("was filled in again"))).to_be_visible()
    _assert_every_value(page)

    page.get_by_label("Risk level").select_option("medium")
    page.get_by_role("button", name="Register the case").click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}$"))
    expect(page.get_by_text("Zqe2e Nguyễn Thị Hoa").first).to_be_visible()
    assert _drafts() == 0


def test_the_idle_warning_keeps_the_person_signed_in(
    app: Flask, worker_page: Any, audit, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = worker_page
    monkeypatch.setitem(app.config, "IDLE_TIMEOUT_MINUTES", 0.2)  # 12 s: warned at 6 s left
    page.goto("/cases/new")
    warning = page.get_by_role("alertdialog", name="You will be signed out soon")
    expect(warning).to_be_visible(timeout=15_000)
    stay = warning.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    audit(page, "idle warning")
    page.keyboard.press("Enter")
    expect(warning).to_be_hidden()
    monkeypatch.setitem(app.config, "IDLE_TIMEOUT_MINUTES", 15)
    page.goto("/")
    assert not urlsplit(page.url).path.startswith("/sign-in")  # still signed in


def test_a_session_forgotten_by_the_server_keeps_the_form(worker_page: Any, audit) -> None:
    """After a long break the session store has forgotten the session (the browser's cookie
    names nothing): sending asks to sign in again instead of "Form expired", and the draft
    typed before the break fills the form in again."""
    page = worker_page
    page.goto("/cases/new")
    _type_interview(page)
    page.context.clear_cookies()
    page.get_by_role("button", name="Register the case").click()
    signed_out = page.get_by_role("alert").filter(has_text="You were signed out")
    expect(signed_out).to_be_visible()
    _assert_every_value(page)
    signed_out.get_by_role("button", name="Sign in again").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/sign-in" and "next=" in url)
    _sign_in_here(page, page.account)
    assert urlsplit(page.url).path == "/cases/new"
    expect(page.get_by_text(re.compile("was filled in again"))).to_be_visible()
    _assert_every_value(page)


def test_a_note_typed_on_the_case_page_comes_back_until_it_is_added(
    worker_page: Any, audit
) -> None:
    """A case note (one of the forms with drafts besides registration): typed, the page left
    and opened again, the note is there; once added, the form is empty again."""
    page = worker_page
    case = factories.make_case(page.account.user.agency, assigned_to=page.account.user)
    db.session.commit()
    note = "Zqe2e remembers the boat's name only at the end of the interview"
    page.goto(f"/cases/{case.id}")
    form = page.locator("#note-form")
    form.get_by_label("What the note is about").select_option("case_management")
    with page.expect_response(
        lambda r: urlsplit(r.url).path == "/drafts" and note in (r.request.post_data or "")
    ):
        form.get_by_label("New note").fill(note)
    page.goto("/")
    page.get_by_role("region", name="Your drafts").get_by_role("link").first.click()
    page.wait_for_url(f"**/cases/{case.id}#notes")  # the note form in view
    expect(form.get_by_label("New note")).to_have_value(note)
    expect(form.get_by_label("What the note is about")).to_have_value("case_management")
    audit(page, "case page with the note filled in again")
    form.get_by_role("button", name="Add note").click()
    page.wait_for_url(f"**/cases/{case.id}#notes")
    expect(page.get_by_text(note).first).to_be_visible()
    expect(page.locator("#note-form").get_by_label("New note")).to_have_value("")
    assert _drafts() == 0


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_a_counselling_session_survives_the_idle_timeout(
    app: Flask, page_as: Callable[..., Any], audit, monkeypatch: pytest.MonkeyPatch, size: str
) -> None:
    """A partner's counsellor records a session of a referred case: the session expires while
    the notes are being written; signed in again, the form is filled in again and saved."""
    owner = factories.make_agency("Referring agency", country="TH")
    provider = factories.make_agency("Counselling centre", country="KH")
    case = factories.make_case(owner)
    factories.make_referral(case, provider, status="accepted")
    partner = factories.make_user(Role.PARTNER, provider)
    record = service_ops.create_service_record(
        partner.user, case, service_type="psychosocial_counselling", status="in_progress"
    )
    db.session.commit()
    page = page_as(partner, size)
    path = f"/services/{record.id}/sessions/new"
    page.goto(path)
    notes = "Zqe2e slept badly since the transfer; talks about her sister"
    page.get_by_label("Date of the session").fill(DAY)
    page.get_by_label("Duration (minutes)").fill("50")
    page.get_by_label("How it was held").select_option(index=1)
    held = page.get_by_label("How it was held").input_value()
    with page.expect_response(
        lambda r: urlsplit(r.url).path == "/drafts" and "sister" in (r.request.post_data or "")
    ):
        page.get_by_label("Session notes").fill(notes)

    monkeypatch.setitem(app.config, "IDLE_TIMEOUT_MINUTES", 0.01)
    time.sleep(1.0)
    page.locator("main form[data-draft] [type=submit]").first.click()
    signed_out = page.get_by_role("alert").filter(has_text="You were signed out")
    expect(signed_out).to_be_visible()
    monkeypatch.setitem(app.config, "IDLE_TIMEOUT_MINUTES", 15)
    signed_out.get_by_role("button", name="Sign in again").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/sign-in" and "next=" in url)
    _sign_in_here(page, partner)
    assert urlsplit(page.url).path == path
    expect(page.get_by_text(re.compile("was filled in again"))).to_be_visible()
    expect(page.get_by_label("Session notes")).to_have_value(notes)
    expect(page.get_by_label("Duration (minutes)")).to_have_value("50")
    expect(page.get_by_label("Date of the session")).to_have_value(DAY)
    expect(page.get_by_label("How it was held")).to_have_value(held)
    audit(page, "session form filled in again")
    page.locator("main form[data-draft] [type=submit]").first.click()
    page.wait_for_url(f"**/services/{record.id}")
    expect(page.get_by_text("The session has been recorded.")).to_be_visible()
    assert _drafts() == 0


def test_activity_in_another_tab_withdraws_the_warning(
    app: Flask, worker_page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warning asks the server before it shows and while it shows: work in another tab
    of the same person renews the session, and the warning goes away by itself."""
    page = worker_page
    monkeypatch.setitem(app.config, "IDLE_TIMEOUT_MINUTES", 0.3)  # 18 s: warned at 9 s left
    page.goto("/cases/new")
    warning = page.get_by_role("alertdialog", name="You will be signed out soon")
    expect(warning).to_be_visible(timeout=15_000)
    other_tab = page.context.new_page()
    other_tab.goto("/")  # activity elsewhere
    expect(warning).to_be_hidden(timeout=15_000)
    monkeypatch.setitem(app.config, "IDLE_TIMEOUT_MINUTES", 15)
    other_tab.close()


def test_rows_added_in_the_page_come_back_with_the_draft(worker_page: Any, audit) -> None:
    """One blank event row; "Add another event" adds one in the page (decisions 0111, 0112),
    focused; a draft holding two events fills two rows in again. The country suggestions
    arrive from the static file of the reader's language."""
    from casework.vocab import COUNTRY_CODES

    page = worker_page
    page.goto("/cases/new")
    expect(page.locator("datalist#country-names option")).to_have_count(len(COUNTRY_CODES))
    expect(page.get_by_role("group", name="Event 2")).to_have_count(0)
    page.get_by_role("button", name="Add another event").click()
    second = page.get_by_role("group", name="Event 2")
    expect(second.get_by_label("Stage")).to_be_focused()
    assert urlsplit(page.url).path == "/cases/new"  # added in the page, nothing sent
    second.get_by_label("Stage").select_option("Transit")
    second.get_by_label("Country").fill("Thailand")
    with page.expect_response(
        lambda r: (
            urlsplit(r.url).path == "/drafts" and "Zqe2e border" in (r.request.post_data or "")
        )
    ) as saved:
        second.get_by_label("What happened").fill("Zqe2e border crossing at night")
    assert saved.value.status == 200
    audit(page, "a second event added in the page")

    page.reload()
    expect(page.get_by_text(re.compile("was filled in again"))).to_be_visible()
    second = page.get_by_role("group", name="Event 2")
    expect(second.get_by_label("What happened")).to_have_value("Zqe2e border crossing at night")
    expect(second.get_by_label("Stage")).to_have_value("Transit")
    expect(second.get_by_label("Country")).to_have_value("Thailand")
    _nothing_in_browser_storage(page)
