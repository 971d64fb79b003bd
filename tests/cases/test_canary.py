"""After a registration, an edit and a note, no canary personal data (names, phone, document
numbers, in any normalised form) is in the database, the logs or an error page."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from flask import Flask

from casework.cases import operations
from casework.policy import Role
from tests.canary import assert_absent, assert_not_in_database, spellings
from tests.cases.helpers import form_fields, post_registration, register, search
from tests.conftest import csrf_token

# Reads the database's bytes (file or pg_dump): needs real commits.
pytestmark = pytest.mark.committing

NAME = "Zqcanary Nguyễn Bảo-Châu"
OTHER_NAMES = "Zqcanary Châu Bé"
PHONE = "+66 87 654 3219"
NEW_PHONE = "+66 (86) 555-0199"
DOCUMENT = "ZQ-448 8213"
ADDRESS = "Zqcanary Soi Sukhumvit 7"
EVENT = "Zqcanary recruited at the market"
NOTE = "Zqcanary note about the family"
CANARIES = [NAME, OTHER_NAMES, PHONE, NEW_PHONE, DOCUMENT, ADDRESS, EVENT, NOTE]


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handlers = [
        h for h in logging.getLogger("casework").handlers if type(h) is logging.StreamHandler
    ]
    assert len(handlers) == 1
    previous = handlers[0].setStream(stream)
    yield stream
    handlers[0].setStream(previous)


def _fields() -> dict[str, str]:
    return {
        "full_name": NAME,
        "other_names": OTHER_NAMES,
        "phone": PHONE,
        "documents-0-number": DOCUMENT,
        "address": ADDRESS,
        "events-0-description": EVENT,
    }


def test_spellings_include_the_normalised_name_phone_and_document() -> None:
    forms = set().union(*(spellings(c) for c in CANARIES))
    assert b"bao chau nguyen zqcanary" in forms  # name parts sorted, accents folded
    assert b"+66876543219" in forms
    assert b"ZQ4488213" in forms


def test_no_canary_in_database_logs_or_error_pages(
    app: Flask, login_as, agencies, log_stream, caplog, monkeypatch
) -> None:
    caplog.set_level(logging.DEBUG)
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    case = register(client, **_fields())
    fields = form_fields(client.get(f"/cases/{case.id}/edit").get_data(as_text=True))
    fields["phone"] = NEW_PHONE
    assert client.post(f"/cases/{case.id}/edit", data=fields).status_code == 302
    token = csrf_token(client, f"/cases/{case.id}")
    assert (
        client.post(
            f"/cases/{case.id}/notes",
            data={"body": NOTE, "category": "health_risk", "csrf_token": token},
        ).status_code
        == 302
    )
    search(client, "/cases", {"q": NAME})  # a search by name
    search(client, "/cases", {"q": PHONE, "search_in": "phone"})
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert NAME in page
    assert NOTE in page

    error_pages = []
    # A form sent without its CSRF token, and one with a duplicate-free but failing save.
    error_pages.append(client.post("/cases/new", data=_fields()))
    error_pages.append(client.get(f"/cases/{case.id}x", query_string={"q": NAME}))
    real_register = operations.register_case

    def failing_register(actor, data):
        real_register(actor, data)
        raise RuntimeError(f"could not save {data['full_name']} {data['phone']}")

    monkeypatch.setattr(operations, "register_case", failing_register)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    failed = post_registration(
        client,
        **(
            _fields()
            | {
                "documents-0-number": "",
                "documents-0-doc_type": "",
                "full_name": "Zqcanary Other Person",
            }
        ),
    )
    assert failed.status_code == 500
    error_pages.append(failed)
    for response in error_pages:
        assert response.status_code >= 400
        body = response.get_data()
        assert_absent(
            body, [*CANARIES, "Zqcanary Other Person"], f"the {response.status_code} page"
        )

    logged = (
        log_stream.getvalue()
        + "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    ).encode()
    assert b"RuntimeError" in logged  # the failure was logged, by type
    assert_absent(logged, [*CANARIES, "Zqcanary Other Person"], "the logs")
    assert_not_in_database([*CANARIES, "Zqcanary Other Person"])
