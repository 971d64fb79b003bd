"""Country fields: one shared list of names per page, typed or picked, stored as ISO codes."""

from __future__ import annotations

import re

from casework.policy import Role
from casework.vocab import COUNTRY_CODES
from tests.cases.helpers import post_registration, register

DATALIST = re.compile(r'<datalist id="country-names">(.*?)</datalist>', re.S)


def test_the_registration_page_lists_countries_once(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    page = client.get("/cases/new").get_data(as_text=True)
    lists = DATALIST.findall(page)
    assert len(lists) == 1
    assert lists[0].count("<option") == len(COUNTRY_CODES)
    # Citizenship, the two document rows and the three event rows point at the one list.
    assert page.count('list="country-names"') == 6
    assert '<option value="TH"' not in page  # no per-field country select any more


def test_a_country_is_stored_as_its_code_whether_typed_as_code_or_name(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    case = register(
        client,
        citizenship="viet nam",  # the English name, any letter case
        **{"documents-0-issuing_country": "vn", "events-0-country": "Thailand"},
    )
    assert case.citizenship == "VN"
    assert [d.issuing_country for d in case.identity_documents] == ["VN"]
    assert [e.country for e in case.events] == ["TH"]


def test_a_country_name_in_the_readers_language_is_understood(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    client.set_cookie("casework_lang", "th")
    case = register(client, citizenship="เวียดนาม")  # Viet Nam, in Thai
    assert case.citizenship == "VN"


def test_an_unknown_country_is_refused_and_shown_again_as_typed(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    response = post_registration(client, citizenship="Atlantis")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Atlantis"' in page
    assert "Choose a country from the list" in page
