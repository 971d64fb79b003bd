"""Country fields: one shared list of names per page, typed or picked, stored as ISO codes."""

from __future__ import annotations

import json
import re

import pytest

from casework.policy import Role
from casework.vocab import COUNTRY_CODES
from config import BaseConfig
from tests.cases.helpers import post_registration, register
from tools.country_names import FOLDER, content

SOURCE = re.compile(r'data-country-names="([^"]+)" data-list="country-names"')


def test_the_registration_page_carries_no_country_names(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    page = client.get("/cases/new").get_data(as_text=True)
    assert "<datalist" not in page
    assert '<option value="Thailand"' not in page
    assert '<option value="TH"' not in page  # no per-field country select either
    # Citizenship, the document row and the event row point at the one list forms.js builds.
    assert len(re.findall(r'(?<!data-)list="country-names"', page)) == 3
    # ...from the names in the reader's language: a static file, fingerprinted.
    (url,) = SOURCE.findall(page)
    assert url.startswith("/static/countries/en.json?v=")


def test_the_names_come_in_the_readers_language_cached_for_a_year(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    client.set_cookie("casework_lang", "th")
    (url,) = SOURCE.findall(client.get("/cases/new").get_data(as_text=True))
    assert url.startswith("/static/countries/th.json?v=")
    response = client.get(url)
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    names = json.loads(response.get_data(as_text=True))
    assert "เวียดนาม" in names
    assert len(names) == len(COUNTRY_CODES)


@pytest.mark.parametrize("language", BaseConfig.LANGUAGES)
def test_the_country_files_are_current(language: str) -> None:
    """tools/country_names.py wrote them from the countries and Babel's names; run it again
    when either changes."""
    written = (FOLDER / f"{language}.json").read_text(encoding="utf-8")
    assert written == content(language), "run: .venv/bin/python tools/country_names.py"


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


def test_a_misspelt_country_is_refused_with_the_close_names(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    response = post_registration(client, citizenship="Cambodai")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Cambodai"' in page
    assert "Did you mean: Cambodia?" in page
    assert 'href="#citizenship"' in page  # the error summary links to the field
