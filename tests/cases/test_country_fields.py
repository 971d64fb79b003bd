"""Country fields: one shared list of names per page, typed or picked, stored as ISO codes."""

from __future__ import annotations

import json
import re

import pytest

from casework.cases.models import Case
from casework.core.extensions import db
from casework.policy import Role
from casework.vocab import COUNTRY_CODES
from config import BaseConfig
from tests.cases.helpers import form_fields, post_registration, register
from tools.country_names import FOLDER, content

SOURCE = re.compile(r'data-country-names="([^"]+)" data-list="country-names"')


def test_the_registration_page_carries_no_country_names(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    page = client.get("/cases/new").get_data(as_text=True)
    assert "<datalist" not in page
    assert '<option value="Thailand"' not in page
    assert '<option value="TH"' not in page  # no per-field country select either
    # Two citizenships, the document row and the event row: the one list forms.js builds.
    assert len(re.findall(r'(?<!data-)list="country-names"', page)) == 4
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
        **{
            "citizenship-0": "viet nam",  # the English name, any letter case
            "documents-0-issuing_country": "vn",
            "events-0-country": "Thailand",
        },
    )
    assert case.codes_of("citizenship") == ["VN"]
    assert [d.issuing_country for d in case.identity_documents] == ["VN"]
    assert [e.country for e in case.events] == ["TH"]


def test_a_country_name_in_the_readers_language_is_understood(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    client.set_cookie("casework_lang", "th")
    case = register(client, **{"citizenship-0": "เวียดนาม"})  # Viet Nam, in Thai
    assert case.codes_of("citizenship") == ["VN"]


def test_an_unknown_country_is_refused_and_shown_again_as_typed(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    response = post_registration(client, **{"citizenship-1": "Atlantis"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Atlantis"' in page
    assert "Choose a country from the list" in page


def test_a_misspelt_country_is_refused_with_the_close_names(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    response = post_registration(client, **{"citizenship-0": "Cambodai"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Cambodai"' in page
    assert "Did you mean: Cambodia?" in page
    assert 'href="#citizenship-0"' in page  # the error summary links to the field


def test_a_person_has_several_citizenships(login_as, agencies) -> None:
    """HTCDS prs_Citizenship is multi-valued: each country is kept, shown and edited."""
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    case = register(client, **{"citizenship-0": "mm", "citizenship-1": "Thailand"})
    assert case.codes_of("citizenship") == ["MM", "TH"]
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Myanmar (Burma), Thailand" in page

    edit = client.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    # The two recorded, and room for one more.
    assert 'name="citizenship-0"' in edit
    assert 'name="citizenship-2"' in edit
    assert 'name="citizenship-3"' not in edit
    # Each field its own label: the first "Citizenship", the others "Also a citizen of".
    assert re.search(r'for="citizenship-0"[^>]*>Citizenship<', edit)
    assert re.search(r'for="citizenship-2"[^>]*>Also a citizen of<', edit)


def test_the_same_country_twice_is_kept_once(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    case = register(client, **{"citizenship-0": "KH", "citizenship-1": "Cambodia"})
    assert case.codes_of("citizenship") == ["KH"]


def test_a_citizenship_is_added_and_removed_by_editing(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    case = register(client, **{"citizenship-0": "MM"})
    fields = form_fields(client.get(f"/cases/{case.id}/edit").get_data(as_text=True))
    fields["citizenship-1"] = "Thailand"
    assert client.post(f"/cases/{case.id}/edit", data=fields).status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).codes_of("citizenship") == ["MM", "TH"]
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert re.search(r"Case details changed</strong>: [^<]*Citizenship", page)

    fields = form_fields(client.get(f"/cases/{case.id}/edit").get_data(as_text=True))
    fields["citizenship-0"] = ""
    assert client.post(f"/cases/{case.id}/edit", data=fields).status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).codes_of("citizenship") == ["TH"]
