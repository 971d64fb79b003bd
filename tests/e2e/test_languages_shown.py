"""The dashboard and the case page in the workers' languages, in a real browser.

For each of Khmer, Burmese and Vietnamese that is offered (its catalogue complete), a caseworker
who chose it sees the dashboard and a case page in it, under a truthful `<html lang>`, with no
serious accessibility issue; screenshots are kept under build/screenshots/ (a CI artefact) and
show the script in Debian's Noto fonts (fonts-noto-core).
"""

from __future__ import annotations

import gettext

import pytest
from flask import Flask

from casework import ROOT
from casework.core.extensions import db
from casework.policy import Role
from casework.web.catalogues import coverage
from casework.web.i18n import LANGUAGE_COOKIE, offered_languages
from tests import factories

SHOWN = ("km", "my", "vi")


def _complete(language: str) -> bool:
    """As deployed, a language is shown only once its catalogue is complete."""
    return coverage(ROOT / "casework" / "translations", language).complete


def _translate(language: str, text: str) -> str:
    mo = ROOT / "casework" / "translations" / language / "LC_MESSAGES" / "messages.mo"
    with mo.open("rb") as handle:
        return gettext.GNUTranslations(handle).gettext(text)


@pytest.mark.parametrize("language", SHOWN)
def test_dashboard_and_case_page_in_the_workers_language(
    app: Flask, browser_context, live_server: str, audit, language: str
) -> None:
    if not _complete(language):
        pytest.skip(f"{language}: catalogue not complete, so not offered (nothing to show)")
    with app.app_context():
        assert language in offered_languages()
    account = factories.make_user(Role.CASEWORKER)
    case = factories.make_case(account.user.agency, assigned_to=account.user)
    db.session.commit()
    browser_context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": live_server}])
    page = browser_context.new_page()
    page.goto("/sign-in")
    assert page.locator("html").get_attribute("lang") == language
    from tests.e2e.conftest import sign_in_in_language

    sign_in_in_language(page, account, language)
    assert page.locator("html").get_attribute("lang") == language
    assert _translate(language, "Sign out") in page.content()
    audit(page, f"{language} dashboard")
    page.goto(f"/cases/{case.id}")
    assert page.locator("html").get_attribute("lang") == language
    assert _translate(language, "Timeline") in page.content()
    assert "Timeline" not in page.locator("main").inner_text()
    audit(page, f"{language} case page")
