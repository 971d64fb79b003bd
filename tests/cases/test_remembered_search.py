"""Search as people remember (issue 16, point 5): a first name, a name in another script or in
Zawgyi, a number typed the local way, a date in the reader's format, each finding the case it
should and never a case its user may not open."""

from __future__ import annotations

import logging
import re

import pytest

from casework.cases import name_search
from casework.cases.queries import search
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.cases.helpers import search as post_search

KYAW = "ကျော်ဇင်ဦး"
KYAW_ZAWGYI = "ေက်ာ္ဇင္ဦး"


def _references(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return sorted(
        re.findall(
            r'<th scope="row"><a href="/cases/[^"]+">([A-Z]{2}-\d{4}-\d{6})</a>',
            response.get_data(as_text=True),
        )
    )


@pytest.fixture
def people(agencies):
    """A Thai agency's caseworker's cases, a colleague's, another agency's with the same
    names, numbers and dates, and a partner with one case referred to it."""
    me = factories.make_user(Role.CASEWORKER, agencies.a)
    colleague = factories.make_user(Role.CASEWORKER, agencies.a).user
    mine = {
        "hoa": factories.make_case(
            agencies.a,
            assigned_to=me.user,
            full_name="Nguyễn Thị Hòa",
            date_of_birth="2001-02-03",
            phone="+66 81 234 5678",
        ),
        "kyaw": factories.make_case(agencies.a, assigned_to=me.user, full_name=KYAW),
        "somying": factories.make_case(
            agencies.a, assigned_to=me.user, full_name="สมหญิง ใจดี", date_of_birth="1990-12-31"
        ),
    }
    colleagues = factories.make_case(
        agencies.a, assigned_to=colleague, full_name="Hoa Kyaw สมหญิง", phone="0812345678"
    )
    elsewhere = [
        factories.make_case(
            agencies.b,
            full_name=name,
            date_of_birth="2001-02-03",
            phone="+66 81 234 5678",
        )
        for name in ("Nguyễn Thị Hòa", "Kyaw Zin Oo", "สมหญิง ใจดี")
    ]
    db.session.commit()
    return me, mine, colleagues, elsewhere


@pytest.mark.parametrize(
    ("typed", "wanted"),
    [
        ("Hoa", "hoa"),
        ("hoa nguyen", "hoa"),
        ("Ngyuen", "hoa"),  # a typo
        ("kyaw", "kyaw"),
        (KYAW_ZAWGYI, "kyaw"),  # typed in Zawgyi
        ("สมหญิง", "somying"),  # a Thai given name
        ("Somying", "somying"),  # its Latin spelling
        ("0812345678", "hoa"),  # stored as +66 81 234 5678
        ("081 234 5678", "hoa"),
        ("03/02/2001", "hoa"),  # dd/mm/yyyy
        ("31/12/1990", "somying"),
    ],
)
def test_a_caseworker_finds_their_case_and_nothing_else(app, people, typed, wanted) -> None:
    from tests.conftest import sign_in_directly

    me, mine, _colleagues, _elsewhere = people
    client = app.test_client()
    sign_in_directly(client, me)
    assert _references(post_search(client, "/cases", {"q": typed})) == [mine[wanted].reference]


def test_a_supervisor_finds_every_case_of_the_agency_and_no_other(login_as, people, agencies):
    _me, mine, colleagues, _elsewhere = people
    client, _supervisor = login_as(Role.SUPERVISOR, agency=agencies.a)
    for typed, wanted in [
        ("Hoa", {mine["hoa"], colleagues}),
        ("kyaw", {mine["kyaw"], colleagues}),
        ("สมหญิง", {mine["somying"], colleagues}),
        ("0812345678", {mine["hoa"], colleagues}),  # one stored the local way, one not
        ("+66812345678", {mine["hoa"], colleagues}),
    ]:
        found = _references(post_search(client, "/cases/agency", {"q": typed}))
        assert found == sorted(case.reference for case in wanted), typed


def test_the_other_agency_finds_its_own(login_as, people, agencies) -> None:
    _me, _mine, _colleagues, elsewhere = people
    client, _supervisor = login_as(Role.SUPERVISOR, agency=agencies.b)
    found = _references(post_search(client, "/cases/agency", {"q": "kyaw"}))
    assert found == [elsewhere[1].reference]


def test_a_partner_finds_only_referred_cases_whose_names_are_shared(people, agencies) -> None:
    """Partners have no case list; the search itself keeps to their scope and to the field
    groups their referral shares."""
    _me, mine, colleagues, _elsewhere = people
    partner_agency = factories.make_agency()
    partner = factories.make_user(Role.PARTNER, partner_agency).user
    factories.make_referral(
        mine["hoa"], partner_agency, status="accepted", shared_groups=("identity_contact",)
    )
    factories.make_referral(
        colleagues, partner_agency, status="accepted", shared_groups=("trafficking_context",)
    )
    factories.make_referral(mine["kyaw"], partner_agency, status="pending")
    db.session.commit()
    assert search(partner, "Hoa", region="TH") == {mine["hoa"].id}
    assert search(partner, "kyaw", region="TH") == set()  # not accepted; names not shared
    assert search(partner, "0812345678", region="TH") == {mine["hoa"].id}
    assert search(partner, colleagues.reference) == {colleagues.id}  # the reference is shown


def test_a_renamed_person_is_found_by_the_new_name_only(people) -> None:
    me, mine, _colleagues, _elsewhere = people
    assert search(me.user, "Hoa") == {mine["hoa"].id}  # the tokens are now cached
    mine["hoa"].person.full_name = "Lê Thị Mai"
    db.session.flush()
    assert search(me.user, "Hoa") == set()
    assert search(me.user, "Mai") == {mine["hoa"].id}


def test_an_erased_case_is_not_found(people) -> None:
    from casework.core.db import utcnow

    me, mine, _colleagues, _elsewhere = people
    assert search(me.user, "kyaw") == {mine["kyaw"].id}
    mine["kyaw"].erased_at = utcnow()
    db.session.flush()
    name_search.CACHE.clear()
    assert search(me.user, "kyaw") == set()


def test_nothing_found_says_what_was_searched_and_what_to_try(app, people) -> None:
    from tests.conftest import sign_in_directly

    me, _mine, _colleagues, _elsewhere = people
    client = app.test_client()
    sign_in_directly(client, me)
    page = post_search(client, "/cases", {"q": "Zzyzx Qwerty"}).get_data(as_text=True)
    assert "No case matches “Zzyzx Qwerty”" in page
    assert "names: a part of a name" in page
    assert "only among the cases assigned to you" in page
    assert "a date of birth written like 31/12/1990" in page
    page = post_search(client, "/cases", {"q": "04/05/1977"}).get_data(as_text=True)
    assert "the date of birth May 4, 1977" in page  # shown without ambiguity
    assert "names: a part" not in page
    assert "the phone number" not in page
    page = post_search(client, "/cases", {"q": "0899999999"}).get_data(as_text=True)
    assert "the phone number +66899999999" in page


def test_search_terms_are_not_logged(app, people, caplog) -> None:
    from tests.conftest import sign_in_directly

    me, _mine, _colleagues, _elsewhere = people
    client = app.test_client()
    sign_in_directly(client, me)
    with caplog.at_level(logging.DEBUG):
        post_search(client, "/cases", {"q": "Hoa Zzyzx"})
        post_search(client, "/cases", {"q": "0812345678"})
    for record in caplog.records:
        text = record.getMessage() + str(record.__dict__)
        assert "Zzyzx" not in text
        assert "812345678" not in text
