"""Redis down: people stay signed in, throttling goes on in memory, and the log says so.

Sessions go on in the database's copy while Redis is unreachable
(casework/core/session_store.py, decision 0180); the rate limiter falls back to memory
(Flask-Limiter's in-memory fallback). A private redis-server, stopped and started again (empty)
under the running app, shows the whole outage: the session held in Redis goes on, a new sign-in
works during the outage and goes on once Redis is back, and a session ended during the outage
never comes back, on either of two application instances sharing the database and Redis.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask

from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.faults.conftest import free_port
from tests.security.helpers import is_sign_in_redirect, post_code, post_password
from tests.services import need

LIMITER_FALLBACK = "Rate limit storage unreachable - falling back to in-memory storage"


def _account(application: Flask) -> factories.Account:
    with application.app_context():
        account = factories.make_user(Role.CASEWORKER)
        db.session.commit()
        db.session.refresh(account.user)
        db.session.expunge(account.user)
    return account


def _sign_in(client, account: factories.Account) -> None:
    """Both sign-in steps. These tests sign in several times within one 30-second step, so
    the record of the last code used is cleared first (replay refusal is tested elsewhere)."""
    from casework.auth.models import User

    with client.application.app_context():
        db.session.get(User, account.user.id).last_totp_step = None
        db.session.commit()
    account.user.last_totp_step = None
    response = post_password(client, account.user.email, account.password)
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"].endswith("/sign-in/code")
    response = post_code(client, account.code())
    assert response.status_code == 302, response.get_data(as_text=True)


def _log_lines(stream) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_sign_in_works_with_redis_unreachable(own_app, app_log) -> None:
    port = free_port()  # nothing listens there
    application = own_app(REDIS_URL=f"redis://127.0.0.1:{port}/0")
    assert application.config["SESSION_TYPE"] == "redis"
    assert application.config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    log = app_log()
    account = _account(application)
    client = application.test_client()

    started = time.monotonic()
    _sign_in(client, account)
    page = client.get("/")
    assert page.status_code == 200
    assert account.user.name in page.get_data(as_text=True)
    assert time.monotonic() - started < 10, "no long waits on the dead Redis"

    lines = _log_lines(log)
    warnings = [line for line in lines if line["level"] == "WARNING"]
    assert any(str(w["message"]).startswith("sessions.redis_unavailable") for w in warnings)
    assert any(w["message"] == LIMITER_FALLBACK for w in warnings), warnings
    # Said once per outage, not on every request.
    assert sum(str(w["message"]).startswith("sessions.redis") for w in warnings) == 1

    # Signing out still ends the session.
    from tests.conftest import csrf_token

    token = csrf_token(client, "/account")
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
    assert is_sign_in_redirect(client.get("/account"))


def test_throttling_goes_on_in_memory(own_app, app_log) -> None:
    application = own_app(
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", ACCOUNT_RATE_LIMIT="3 per minute"
    )
    log = app_log()
    account = _account(application)
    client = application.test_client()
    statuses = [
        post_password(client, account.user.email, "not the password at all").status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert LIMITER_FALLBACK in log.getvalue()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[Callable[[], None]]:
    """A private redis-server on a free port; yields (start, stop) and its URL via start()."""
    binary = shutil.which("redis-server")
    need(binary is not None, "redis-server is not installed")
    assert binary is not None
    port = free_port()
    processes: list[subprocess.Popen[bytes]] = []

    def start() -> str:
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
        )
        processes.append(process)
        client = redis.Redis(host="127.0.0.1", port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        return f"redis://127.0.0.1:{port}/0"

    def stop() -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=10)

    start.stop = stop  # type: ignore[attr-defined]
    yield start
    stop()


def test_redis_outage_and_recovery(own_app, app_log, redis_server, monkeypatch) -> None:
    from casework.core import session_store

    monkeypatch.setattr(session_store, "RETRY_SECONDS", 0.0)  # ask Redis again at once
    url = redis_server()
    application = own_app(REDIS_URL=url)
    log = app_log()
    account = _account(application)
    client = application.test_client()
    _sign_in(client, account)
    store = redis.Redis.from_url(url)
    assert any(store.scan_iter("session:*")), "the session lives in Redis"

    redis_server.stop()  # type: ignore[attr-defined]
    # The session goes on from the database's copy; so does a sign-in during the outage.
    assert client.get("/account").status_code == 200
    assert "sessions.redis_unavailable" in log.getvalue()
    other = application.test_client()
    _sign_in(other, account)
    assert other.get("/account").status_code == 200

    redis_server()  # Redis is back (empty: its data was not saved)
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 200
    assert "sessions.redis_restored" in log.getvalue()
    assert any(redis.Redis.from_url(url).scan_iter("session:*")), "written to Redis again"


def test_an_outage_with_two_instances(own_app, app_log, redis_server, monkeypatch) -> None:
    """Issue 18: two application instances share the database and Redis; Redis goes away and
    comes back empty. Whoever was signed in stays signed in on both; a session signed out on
    one instance during the outage stays ended on the other, during and after it."""
    from casework.core import session_store
    from tests.conftest import csrf_token
    from tests.security.helpers import SESSION_COOKIE

    monkeypatch.setattr(session_store, "RETRY_SECONDS", 0.0)
    url = redis_server()
    first = own_app(REDIS_URL=url)
    app_log()
    second = own_app(
        REDIS_URL=url,
        SQLALCHEMY_DATABASE_URI=first.config["SQLALCHEMY_DATABASE_URI"],
        KEY_FILE=first.config["KEY_FILE"],
        SECRET_KEY=first.config["SECRET_KEY"],
    )
    staying, leaving = _account(first), _account(first)

    def on(application: Flask, cookie: str):
        client = application.test_client()
        client.set_cookie(SESSION_COOKIE, cookie)
        return client

    def cookie_of(client) -> str:
        found = client.get_cookie(SESSION_COOKIE)
        assert found is not None
        return str(found.value)

    signed_in = first.test_client()
    _sign_in(signed_in, staying)
    staying_cookie = cookie_of(signed_in)
    signing_out = second.test_client()
    _sign_in(signing_out, leaving)
    leaving_cookie = cookie_of(signing_out)
    for application in (first, second):
        assert on(application, staying_cookie).get("/account").status_code == 200
        assert on(application, leaving_cookie).get("/account").status_code == 200

    redis_server.stop()  # type: ignore[attr-defined]
    for application in (first, second):
        assert on(application, staying_cookie).get("/account").status_code == 200
    # Signed out on the first instance while Redis is down...
    out = on(first, leaving_cookie)
    token = csrf_token(out, "/account")
    assert is_sign_in_redirect(out.post("/sign-out", data={"csrf_token": token}))
    # ...and ended on the second too.
    assert is_sign_in_redirect(on(second, leaving_cookie).get("/account"))

    redis_server()  # back, empty
    for application in (second, first):
        assert on(application, staying_cookie).get("/account").status_code == 200
        assert is_sign_in_redirect(on(application, leaving_cookie).get("/account"))


def test_a_session_is_copied_when_it_changes_and_once_a_minute(own_app, redis_server) -> None:
    """The copy costs a database write when the session's content changes, not on every
    request (the idle-time stamp changes on each); a copy older than a minute is renewed."""
    from sqlalchemy import func, select

    from casework.core import session_store
    from casework.core.session_store import SessionCopy

    application = own_app(REDIS_URL=redis_server())
    account = _account(application)
    client = application.test_client()
    _sign_in(client, account)
    client.get("/account")  # the first page with a form puts its CSRF secret in the session
    writes: list[str] = []
    original = session_store.CopyingRedisSessionInterface._write_copy

    def counting(self, store_id, session, lifetime) -> None:
        writes.append(store_id)
        original(self, store_id, session, lifetime)

    session_store.CopyingRedisSessionInterface._write_copy = counting  # type: ignore[method-assign]
    try:
        for _ in range(3):
            assert client.get("/account").status_code == 200
        assert writes == [], "no change, copied less than a minute ago: no write"
        with client.session_transaction() as stored:
            stored[session_store.COPIED] = [
                stored[session_store.COPIED][0] - 61,
                stored[session_store.COPIED][1],
            ]
        assert client.get("/account").status_code == 200
        assert len(writes) == 1
    finally:
        session_store.CopyingRedisSessionInterface._write_copy = original  # type: ignore[method-assign]
    with application.app_context():
        assert db.session.scalar(select(func.count()).select_from(SessionCopy)) >= 1
        data = db.session.scalars(select(SessionCopy.data)).all()
    assert all(account.user.email.encode() not in blob for blob in data)


def test_a_sign_out_redis_did_not_take_stays_signed_out(
    own_app, app_log, redis_server, monkeypatch
) -> None:
    """Issue 13, item 7: Redis goes away just as the sign-out deletes the session (the read
    worked, the delete does not arrive); when Redis is reachable again it still holds the
    session, and whoever holds the old cookie must stay signed out."""
    from flask_session.redis import RedisSessionInterface
    from redis.exceptions import ConnectionError as RedisConnectionError

    from casework.core import session_store
    from tests.conftest import csrf_token
    from tests.security.helpers import SESSION_COOKIE

    monkeypatch.setattr(session_store, "RETRY_SECONDS", 0.0)  # ask Redis again at once
    url = redis_server()
    application = own_app(REDIS_URL=url)
    app_log()
    account = _account(application)
    client = application.test_client()
    _sign_in(client, account)
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    token = csrf_token(client, "/account")
    store = redis.Redis.from_url(url)
    sessions_before = set(store.scan_iter("session:*"))
    assert sessions_before

    def unreachable(self: object, store_id: str) -> None:
        raise RedisConnectionError("Redis went away")

    with monkeypatch.context() as outage:
        outage.setattr(RedisSessionInterface, "_delete_session", unreachable)
        response = client.post("/sign-out", data={"csrf_token": token})
    assert is_sign_in_redirect(response)
    # Redis is answering again and never heard of the sign-out: the old session is there...
    assert sessions_before <= set(store.scan_iter("session:*"))
    # ...but whoever holds the old cookie is signed out.
    again = application.test_client()
    again.set_cookie(SESSION_COOKIE, cookie.value)
    assert is_sign_in_redirect(again.get("/account"))
    # And the person signs in again as usual.
    _sign_in(client, account)
    assert client.get("/account").status_code == 200
