"""Journeys in a real browser, each page audited (screenshot + axe-core, no serious or critical
violation): sign-in for every role, every page each role reaches from the start page (the
administration pages for an administrator, the account pages for everyone), and the sign-in
pages, error states included."""

from __future__ import annotations

import pytest

from casework.policy import Role
from tests import factories
from tests.e2e.conftest import sign_in_page

# What each role must at least reach by following links from the start page.
EXPECTED_ROUTES = {
    Role.ADMIN: {
        "main.dashboard",
        "auth.account",
        "auth.change_password",
        "admin.list_agencies",
        "admin.list_users",
        "admin.new_user",
        "admin.edit_user",
        "admin.new_agency",
        "admin.edit_agency",
        "admin.audit_log",
        "admin.sign_ins",
    },
    Role.CASEWORKER: {"main.dashboard", "auth.account", "auth.change_password"},
    Role.SUPERVISOR: {"main.dashboard", "auth.account", "auth.change_password"},
    Role.PARTNER: {"main.dashboard", "auth.account", "auth.change_password"},
    Role.COORDINATOR: {"main.dashboard", "auth.account", "auth.change_password"},
}


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_signs_in_and_every_page_it_reaches_is_accessible(
    signed_in, audit_every_page, role: Role
) -> None:
    page, account = signed_in(role)
    assert account.user.name in page.content()
    audited = audit_every_page(page, "/")
    assert EXPECTED_ROUTES[role] <= set(audited), audited


def test_sign_in_pages_and_their_errors(browser_context, audit) -> None:
    page = browser_context.new_page()
    page.goto("/sign-in")
    audit(page, "sign in")
    page.get_by_role("button", name="Continue").click()  # empty: errors tied to the fields
    audit(page, "sign in, empty form")
    email = page.get_by_label("Email")
    assert email.get_attribute("aria-invalid") == "true"
    assert email.get_attribute("aria-describedby")

    account = factories.make_user(Role.CASEWORKER)
    from casework.core.extensions import db

    db.session.commit()
    page.get_by_label("Email").fill(account.user.email)
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Continue").click()
    audit(page, "sign in, refused")

    page.get_by_label("Password", exact=True).fill(account.password)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/sign-in/code")
    audit(page, "one-time code")
    page.get_by_label("One-time code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    audit(page, "one-time code, refused")


def test_forms_with_errors_are_accessible(signed_in, audit) -> None:
    page, _account = signed_in(Role.ADMIN)
    for path in ("/account/password", "/admin/users/new", "/admin/agencies/new"):
        page.goto(path)
        page.locator("main form [type=submit]").first.click()  # sent empty
        audit(page, f"{path} with errors")
        # the summary is announced (role=alert) and has the focus; its links lead to the fields
        assert page.evaluate("document.activeElement.id") == "error-summary", path
        summary = page.locator("#error-summary")
        assert summary.get_attribute("role") == "alert"
        first = summary.locator("a").first
        target = (first.get_attribute("href") or "").removeprefix("#")
        first.click()
        assert page.evaluate("document.activeElement.id") == target, path
        invalid = page.locator("[aria-invalid=true]")
        assert invalid.count() >= 1, path
        for n in range(invalid.count()):  # each error is tied to its field
            described = invalid.nth(n).get_attribute("aria-describedby") or ""
            assert any(
                page.locator(f"#{ident}").inner_text().strip() for ident in described.split()
            ), path


def test_the_focused_field_has_a_strong_outline(signed_in) -> None:
    """Focus is a 3 px outline of at least 3:1 against the page (issue 16: a faint glow)."""
    from tests.test_page_conventions import contrast

    page, _account = signed_in(Role.ADMIN)
    page.goto("/admin/users/new")
    for control in (page.get_by_label("Email"), page.get_by_label("Agency")):
        control.focus()
        style, width, colour = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
        )
        assert (style, width) == ("solid", "3px")
        red, green, blue = (int(n) for n in colour.removeprefix("rgb(").rstrip(")").split(","))
        assert contrast(f"#{red:02x}{green:02x}{blue:02x}", "#ffffff") >= 3


def test_error_pages_are_accessible(signed_in, audit) -> None:
    page, _account = signed_in(Role.CASEWORKER)
    response = page.goto("/no-such-page")
    assert response is not None
    assert response.status == 404
    audit(page, "not found")
    response = page.goto("/admin/users")  # not for this role: 404 as well
    assert response is not None
    assert response.status == 404
    audit(page, "refused")


def test_keyboard_reaches_the_skip_link_first(browser_context) -> None:
    page = browser_context.new_page()
    account = factories.make_user(Role.SUPERVISOR)
    from casework.core.extensions import db

    db.session.commit()
    sign_in_page(page, account)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
