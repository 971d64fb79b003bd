"""The draft store under the canary tests: what was typed into a draft is in no byte of the
database (file or pg_dump), in no log line, and comes back only to its author."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from casework.policy import Role
from tests.canary import assert_absent, assert_not_in_database
from tests.cases.helpers import post_registration
from tests.drafts.helpers import find, save

# Reads the database's bytes (file or pg_dump): needs real commits.
pytestmark = pytest.mark.committing

NAME = "Zqdraftcanary Thida Aung"
PHONE = "+95 9 765 432 109"
STORY = "Zqdraftcanary was taken across the border at night"
CANARIES = [NAME, PHONE, STORY]


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


def test_no_canary_of_a_draft_in_the_database_or_the_logs(login_as, log_stream, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    client, _account = login_as(Role.CASEWORKER)
    values = {"full_name": [NAME], "phone": [PHONE], "events-0-description": [STORY]}
    assert save(client, "/cases/new", values).status_code == 200
    assert save(client, "/cases/new", values | {"other_names": [NAME]}).status_code == 200
    assert find(client, "/cases/new").get_json()["values"]["full_name"] == [NAME]
    assert_not_in_database(CANARIES)
    # A failed save (the form refused) keeps the draft; nothing typed is logged either way.
    assert post_registration(client, full_name="", phone=PHONE, other_names=NAME).status_code == 422
    assert_not_in_database(CANARIES)
    logged = log_stream.getvalue() + "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records
    )
    assert_absent(logged.encode(), CANARIES, "the logs")
