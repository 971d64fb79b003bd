"""Logs carry request ids and never personal data: no email, name, password or search term."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from flask import Flask

from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.security.helpers import post_code, post_password

EMAIL = "zqcanary.person@example.org"
NAME = "Zqcanary Fullname"
PASSWORD = "zqcanary orchid harbour lantern"
WRONG_PASSWORD = "zqcanary-wrong-password-771"
SEARCH = "ZqcanaryName"
REQUEST_ID = re.compile(r"^[A-Za-z0-9_.-]{8,64}$")


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """What the app's JSON log handler writes to stderr."""
    stream = io.StringIO()
    handlers = [
        h
        for h in logging.getLogger("casework").handlers
        if type(h) is logging.StreamHandler  # the app's own, not pytest's capture handlers
    ]
    assert len(handlers) == 1
    previous = handlers[0].setStream(stream)
    yield stream
    handlers[0].setStream(previous)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_no_personal_data_in_logs(
    app: Flask, client, log_stream: io.StringIO, caplog: pytest.LogCaptureFixture, monkeypatch
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, SQLAlchemy's and the rate limiter's too
    account = factories.make_user(Role.SUPERVISOR, email=EMAIL, password=PASSWORD)
    account.user.name = NAME
    db.session.commit()

    post_password(client, EMAIL, WRONG_PASSWORD)
    post_password(client, "zqcanary.unknown@example.org", WRONG_PASSWORD)
    post_password(client, EMAIL, PASSWORD)
    post_code(client, "zqcanary-code")
    assert post_code(client, account.code()).status_code == 302
    for path in (f"/?q={SEARCH}", f"/account?q={SEARCH}", f"/no-such/{SEARCH}"):
        client.get(path)
    assert EMAIL in client.get("/account").get_data(as_text=True)  # the page has it; logs not

    anonymous = app.test_client()
    anonymous.get(f"/?q={SEARCH}")
    monkeypatch.setitem(app.config, "ACCOUNT_RATE_LIMIT", "1 per minute")
    post_password(anonymous, EMAIL, WRONG_PASSWORD)
    assert post_password(anonymous, EMAIL, WRONG_PASSWORD).status_code == 429

    emitted = log_stream.getvalue()
    lines = _lines(log_stream)
    assert len([line for line in lines if line.get("logger") == "casework.access"]) >= 12
    assert any(r.name == "flask-limiter" for r in caplog.records), "the breach was logged"
    records = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    everything = (emitted + "\n" + records).lower()
    assert "zqcanary" not in everything
    for value in (EMAIL, NAME, PASSWORD, WRONG_PASSWORD, SEARCH):
        assert value.lower() not in everything
    # nor a plain hash of the email (it could be matched by hashing guessed addresses)
    assert hashlib.sha256(EMAIL.encode()).hexdigest() not in everything
    assert str(account.user.id) in emitted, "ids are what logs name"


def test_access_log_lines_carry_the_request_id(client, log_stream: io.StringIO) -> None:
    responses = [
        client.get("/sign-in"),
        client.get("/health"),
        client.get("/no-such-page"),
        client.get("/", headers={"X-Request-ID": "trace-abc-12345"}),
        client.get("/", headers={"X-Request-ID": "zq@canary.example"}),  # not a valid id
        client.get("/", headers={"X-Request-ID": "short"}),
    ]
    access = [line for line in _lines(log_stream) if line["logger"] == "casework.access"]
    assert len(access) == len(responses)
    for line, response in zip(access, responses, strict=True):
        request_id = response.headers["X-Request-ID"]
        assert REQUEST_ID.match(request_id)
        assert line["request_id"] == request_id
        assert line["status"] == response.status_code
        assert set(line) >= {"time", "level", "method", "endpoint", "status", "ms"}
    # Our own id always (issue 12, item 15); a well-formed client id is logged beside it.
    assert responses[3].headers["X-Request-ID"] != "trace-abc-12345"
    assert access[3]["client_request_id"] == "trace-abc-12345"
    assert responses[4].headers["X-Request-ID"] != "zq@canary.example"
    assert access[4]["client_request_id"] is None
    assert responses[5].headers["X-Request-ID"] != "short"
    assert access[5]["client_request_id"] is None
    assert len({r.headers["X-Request-ID"] for r in responses}) == len(responses)


def test_error_lines_carry_the_request_id_too(app: Flask, client, log_stream) -> None:
    with app.test_request_context():
        from flask import g

        from casework.core.logs import start_request

        start_request()
        logging.getLogger("casework.errors").error("something failed for %s", EMAIL)
        request_id = g.request_id
    line = _lines(log_stream)[-1]
    assert line["request_id"] == request_id
    assert EMAIL not in json.dumps(line), "interpolated arguments are withheld"
