"""Issue 12, item 12: names, dates of birth, document and phone numbers never travel in a URL.
The test walks the search forms of both case lists, as a caseworker and a supervisor, for each
kind of identifier, and looks at every URL the app redirects to or puts in a page (links,
form actions, the pager): none holds the value, in any spelling."""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus, unquote_plus

from flask import Flask

from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.cases.helpers import search
from tests.conftest import csrf_token

NAME, BIRTH, DOCUMENT, PHONE = "Zqsearch Sokha Chan", "1999-04-05", "ZQ9988776", "+855 12 998 877"
URL_IN_PAGE = re.compile(r'(?:href|action|src|formaction)="([^"]*)"')
# The opaque search token (secrets.token_urlsafe(12): 16 random URL-safe characters) is not
# read as text: by chance it may hold a name part ("eICHANLoBv5aPPYP" held "Chan").
OPAQUE_TOKEN = re.compile(r"(?<=search=)[A-Za-z0-9_-]{16}(?=&|$|#)")


def _spellings(value: str) -> set[str]:
    parts = {value, quote(value), quote_plus(value), value.replace(" ", "")}
    parts |= {part for part in value.split() if len(part) > 3}  # a surname alone
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 6:
        parts.add(digits)
    return {p.lower() for p in parts}


def _leaks(urls: list[str]) -> list[tuple[str, str]]:
    found = []
    for url in urls:
        url = OPAQUE_TOKEN.sub("TOKEN", url.replace("&amp;", "&"))
        seen = {url.lower(), unquote_plus(url).lower()}
        for value in (NAME, BIRTH, DOCUMENT, PHONE):
            for spelling in _spellings(value):
                if any(spelling in text for text in seen):
                    found.append((value, url))
    return found


def test_no_identifying_value_in_any_url_of_the_search(app: Flask, login_as) -> None:
    agency = factories.make_agency(country="KH")
    client, caseworker = login_as(Role.CASEWORKER, agency=agency)
    case = factories.make_case(
        agency,
        assigned_to=caseworker.user,
        full_name=NAME,
        date_of_birth=BIRTH,
        phone=PHONE,
        documents=(("passport", DOCUMENT),),
    )
    for _ in range(25):  # enough cases for a second page when nothing is searched
        factories.make_case(agency, assigned_to=caseworker.user)
    db.session.commit()
    supervisor_client, _ = login_as(Role.SUPERVISOR, agency=agency)
    urls: list[str] = []
    searches = [
        (NAME, "any"),
        (NAME, "name"),
        (BIRTH, "date_of_birth"),
        (DOCUMENT, "document"),
        (PHONE, "phone"),
    ]
    for who, lists in ((client, ("/cases",)), (supervisor_client, ("/cases", "/cases/agency"))):
        for path in lists:
            for value, kind in searches:
                kind_of_list = "agency" if path.endswith("agency") else "mine"
                token = csrf_token(who, path)
                posted = who.post(
                    f"/cases/search?list={kind_of_list}",
                    data={"q": value, "search_in": kind, "csrf_token": token},
                )
                assert posted.status_code == 303, (value, kind)
                urls.append(posted.headers["Location"])
                page = search(who, path, {"q": value, "search_in": kind})
                assert page.status_code == 200
                html = page.get_data(as_text=True)
                if who is client or path.endswith("agency"):  # the supervisor holds none
                    assert case.reference in html, (value, kind, path)
                urls += URL_IN_PAGE.findall(html)
                urls.append(page.request.full_path)
    assert urls
    assert _leaks(urls) == []


def test_a_search_term_in_the_address_is_not_used_and_taken_out(app: Flask, login_as) -> None:
    agency = factories.make_agency(country="KH")
    client, caseworker = login_as(Role.CASEWORKER, agency=agency)
    factories.make_case(agency, assigned_to=caseworker.user, full_name=NAME)
    db.session.commit()
    response = client.get("/cases", query_string={"q": NAME, "status": "open"})
    assert response.status_code == 303
    assert _leaks([response.headers["Location"]]) == []
    assert "status=open" in response.headers["Location"]


def test_a_search_token_is_this_sessions_and_expires(app: Flask, login_as) -> None:
    agency = factories.make_agency(country="KH")
    client, caseworker = login_as(Role.CASEWORKER, agency=agency)
    case = factories.make_case(agency, assigned_to=caseworker.user, full_name=NAME)
    other = factories.make_case(agency, assigned_to=caseworker.user)
    db.session.commit()
    posted = client.post(
        "/cases/search?list=mine",
        data={"q": NAME, "search_in": "name", "csrf_token": csrf_token(client, "/cases")},
    )
    location = posted.headers["Location"]
    html = client.get(location).get_data(as_text=True)
    assert case.reference in html
    assert other.reference not in html
    # Another person's session does not know the token: the list is not searched.
    stranger, _ = login_as(Role.CASEWORKER, agency=agency)
    assert "That search has expired" in stranger.get(location).get_data(as_text=True)
    # A search without its CSRF token is refused.
    assert client.post("/cases/search?list=mine", data={"q": NAME}).status_code == 400
