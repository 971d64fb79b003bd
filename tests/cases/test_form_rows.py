"""The case forms' repeated rows (identity documents, events) and the registration page's
weight (issue 16, decisions 0111 and 0112): one blank row each, "Add another" works without
JavaScript and loses nothing typed; the page stays under 30 KB of HTML."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from casework.cases.form_parts import MAX_EVENTS
from casework.cases.models import Case
from casework.core.extensions import db
from casework.policy import Role
from tests.cases.helpers import form_fields, register, registration_data, registration_tokens

PAGE_WEIGHT_LIMIT = 30_000  # bytes of HTML, uncompressed (benchmarks/page_weight.py)
ROW = re.compile(r'<fieldset [^>]*id="(documents|events)-(\d+)"[^>]*data-row>')


def _rows(page: str) -> dict[str, int]:
    found = ROW.findall(page)
    return {kind: sum(1 for k, _n in found if k == kind) for kind in ("documents", "events")}


def _cases() -> int:
    return db.session.scalar(select(func.count()).select_from(Case)) or 0


def test_the_registration_page_stays_under_30_kb(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    body = client.get("/cases/new").get_data()
    assert len(body) < PAGE_WEIGHT_LIMIT, f"/cases/new is {len(body):,} bytes of HTML"
    # The templates' indentation is not sent (decision 0111; Flask-Bootstrap's script tag
    # brings its own few spaces).
    assert sum(len(indent) for indent in re.findall(rb"\n[ \t]+", body)) < 20


def test_a_new_form_has_one_blank_row_of_each_and_add_buttons(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    page = client.get("/cases/new").get_data(as_text=True)
    assert _rows(page) == {"documents": 1, "events": 1}
    assert re.search(r'<button type="submit" name="add_row" value="events" formnovalidate', page)
    assert 'formaction="/cases/new#documents-1"' in page


def test_add_another_keeps_everything_typed_and_saves_nothing(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    before = _cases()
    data = registration_data(
        **registration_tokens(client),
        add_row="events",
        **{"events-0-description": "Two lines,\n    the second indented"},
    )
    response = client.post("/cases/new", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _rows(page) == {"documents": 1, "events": 2}
    assert "Please correct" not in page  # not checked: nothing to correct yet
    kept = form_fields(page)
    for name in ("full_name", "phone", "documents-0-number", "events-0-country", "risk_level"):
        assert kept[name] == data[name], name
    assert kept["control_method"] == data["control_method"]
    assert "Two lines,\n    the second indented" in page  # a textarea's own whitespace untouched
    assert kept["events-1-kind"] == ""
    assert kept["events-1-description"] == ""
    assert kept["submission"] == data["submission"]  # the same one-time form
    assert _cases() == before
    # The filled form is then registered as usual, the new empty row ignored.
    response = client.post("/cases/new", data=kept)
    assert response.status_code == 302
    assert _cases() == before + 1


def test_rows_stop_at_their_maximum(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    data = registration_data(**registration_tokens(client), add_row="events")
    data |= {f"events-{i}-kind": "transit" for i in range(MAX_EVENTS)}
    page = client.post("/cases/new", data=data).get_data(as_text=True)
    assert _rows(page)["events"] == MAX_EVENTS
    assert 'value="events" formnovalidate' not in page  # no "Add another event" any more


def test_add_another_on_the_edit_form(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    case = register(client)
    version = case.version
    fields = form_fields(client.get(f"/cases/{case.id}/edit").get_data(as_text=True))
    shown = fields.copy()
    fields |= {"phone": "+66 89 000 2222", "add_row": "documents"}
    response = client.post(f"/cases/{case.id}/edit", data=fields)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _rows(page)["documents"] == _rows_in(shown, "documents") + 1
    assert form_fields(page)["phone"] == "+66 89 000 2222"
    db.session.expire_all()
    assert db.session.get(Case, case.id).version == version  # nothing saved


def _rows_in(fields: dict[str, object], kind: str) -> int:
    return len({name.split("-")[1] for name in fields if name.startswith(f"{kind}-")})
