"""Sessions: a new id at each sign-in step, ended by sign-out, deactivation, password change
and timeouts; cookies that scripts and other sites cannot use."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from flask import Flask

from casework.auth import operations, sessions
from casework.auth.models import User
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.conftest import csrf_token, sign_in
from tests.security.helpers import (
    SESSION_COOKIE,
    events,
    is_sign_in_redirect,
    location_path,
    post_code,
    post_password,
    session_id,
)

NEW_PASSPHRASE = "lantern meadow copper violin"


class Clock:
    """Stands in for the `time` module inside casework.auth.sessions."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(sessions, "time", SimpleNamespace(time=fake.time))
    return fake


def _with_cookie(app: Flask, value: str):
    fresh = app.test_client()
    fresh.set_cookie(SESSION_COOKIE, value)
    return fresh


def _set_cookie_header(response, name: str = SESSION_COOKIE) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert len(headers) == 1, response.headers.getlist("Set-Cookie")
    return headers[0]


# ---- fixation ----------------------------------------------------------------------------


def test_session_id_changes_at_each_sign_in_step(app: Flask, client) -> None:
    account = factories.make_user(Role.CASEWORKER)
    db.session.commit()
    client.get("/sign-in")
    before = session_id(client)
    assert before

    response = post_password(client, account.user.email, account.password)
    assert location_path(response) == "/sign-in/code"
    after_password = session_id(client)
    assert after_password
    assert after_password != before

    response = post_code(client, account.code())
    assert location_path(response) == "/"
    signed_in = session_id(client)
    assert signed_in
    assert signed_in not in {before, after_password}
    assert client.get("/").status_code == 200

    # The earlier ids are gone from the store, not just replaced in this browser.
    for old in (before, after_password):
        stale = _with_cookie(app, old)
        assert is_sign_in_redirect(stale.get("/"))
        assert is_sign_in_redirect(stale.get("/sign-in/code"))


def test_a_session_id_chosen_by_someone_else_is_never_adopted(app: Flask) -> None:
    account = factories.make_user(Role.CASEWORKER)
    db.session.commit()
    planted = "attacker-chosen-session-id-0123456789abcdef"
    client = _with_cookie(app, planted)
    client.get("/sign-in")
    assert session_id(client) != planted
    sign_in(client, account)
    assert session_id(client) != planted
    assert is_sign_in_redirect(_with_cookie(app, planted).get("/"))


# ---- sign-out ----------------------------------------------------------------------------


def test_old_cookie_fails_after_sign_out(app: Flask, login_as) -> None:
    client, account = login_as(Role.SUPERVISOR)
    old = session_id(client)
    assert _with_cookie(app, old).get("/").status_code == 200  # the copy works while signed in
    token = csrf_token(client, "/account")
    response = client.post("/sign-out", data={"csrf_token": token})
    assert is_sign_in_redirect(response)
    assert session_id(client) != old, "the id is not reused after sign-out"
    assert "You have signed out." in client.get("/sign-in").get_data(as_text=True)

    stale = _with_cookie(app, old)
    assert is_sign_in_redirect(stale.get("/"))
    page = stale.get("/sign-in").get_data(as_text=True)
    assert "You have signed out." not in page, "the old session is deleted, not emptied"
    assert session_id(stale) != old
    assert is_sign_in_redirect(client.get("/"))
    assert [e.actor_id for e in events("sign_out")] == [account.user.id]


def test_sign_out_is_post_only(login_as, client) -> None:
    signed_in, _account = login_as(Role.CASEWORKER)
    for browser in (signed_in, client):
        response = browser.get("/sign-out")
        assert response.status_code == 405
        assert "POST" in response.headers.get("Allow", "")
    assert signed_in.get("/").status_code == 200
    assert events("sign_out") == []


# ---- ended from elsewhere ------------------------------------------------------------------


def _reload(account: factories.Account) -> User:
    db.session.expire_all()
    user = db.session.get(User, account.user.id)
    assert user is not None
    return user


def test_deactivation_ends_the_live_session(login_as) -> None:
    client, account = login_as(Role.CASEWORKER)
    assert client.get("/").status_code == 200
    user = _reload(account)
    user.active = False
    operations.end_all_sessions(user)
    db.session.commit()
    assert is_sign_in_redirect(client.get("/"))
    user = _reload(account)
    user.active = True  # reactivated later: the old session stays ended
    db.session.commit()
    assert is_sign_in_redirect(client.get("/"))


@pytest.mark.parametrize("how", ["user inactive", "agency inactive", "sessions ended"])
def test_each_way_of_ending_sessions_works_alone(login_as, how: str) -> None:
    client, account = login_as(Role.SUPERVISOR)
    assert client.get("/").status_code == 200
    user = _reload(account)
    if how == "user inactive":
        user.active = False
    elif how == "agency inactive":
        user.agency.active = False
    else:
        operations.end_all_sessions(user)
    db.session.commit()
    assert is_sign_in_redirect(client.get("/"))


def test_password_change_ends_other_sessions_and_keeps_this_one(app: Flask, login_as) -> None:
    here, account = login_as(Role.CASEWORKER)
    elsewhere = app.test_client()
    sign_in(elsewhere, account)
    assert here.get("/").status_code == elsewhere.get("/").status_code == 200
    before = session_id(here)

    token = csrf_token(here, "/account/password")
    response = here.post(
        "/account/password",
        data={
            "current_password": account.password,
            "new_password": NEW_PASSPHRASE,
            "confirm_password": NEW_PASSPHRASE,
            "csrf_token": token,
        },
    )
    assert location_path(response) == "/"
    assert here.get("/").status_code == 200
    assert session_id(here) != before
    assert is_sign_in_redirect(elsewhere.get("/"))
    assert is_sign_in_redirect(_with_cookie(app, before).get("/"))


# ---- timeouts ------------------------------------------------------------------------------


def test_idle_timeout(app: Flask, login_as, clock: Clock) -> None:
    client, _account = login_as(Role.CASEWORKER)
    idle = app.config["IDLE_TIMEOUT_MINUTES"] * 60
    clock.advance(idle - 5)
    assert client.get("/").status_code == 200  # activity keeps it alive...
    clock.advance(idle - 5)
    assert client.get("/").status_code == 200  # ...past the idle limit in total
    clock.advance(idle + 1)
    response = client.get("/")
    assert is_sign_in_redirect(response)
    page = client.get("/sign-in").get_data(as_text=True)
    assert "signed out after a period without activity" in page
    clock.offset = 0
    assert is_sign_in_redirect(client.get("/")), "ended, not just hidden"


def test_absolute_timeout(app: Flask, login_as, clock: Clock, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "ABSOLUTE_TIMEOUT_HOURS", 1)
    client, _account = login_as(Role.SUPERVISOR)
    step = min(app.config["IDLE_TIMEOUT_MINUTES"] * 60 - 60, 600)
    elapsed = 0
    while elapsed + step < 3600:
        clock.advance(step)
        elapsed += step
        assert client.get("/").status_code == 200, elapsed
    clock.advance(3600 - elapsed + 1)
    assert is_sign_in_redirect(client.get("/"))


def test_password_step_expires(app: Flask, client, monkeypatch) -> None:
    fake = Clock()
    monkeypatch.setattr(sessions, "time", SimpleNamespace(time=fake.time))
    account = factories.make_user(Role.CASEWORKER)
    db.session.commit()
    post_password(client, account.user.email, account.password)
    fake.advance(sessions.PENDING_SECONDS - 10)
    assert client.get("/sign-in/code").status_code == 200
    fake.advance(20)
    assert is_sign_in_redirect(client.get("/sign-in/code"))


# ---- cookies -------------------------------------------------------------------------------


def test_session_cookie_is_httponly_samesite_and_ends_with_the_browser(client) -> None:
    header = _set_cookie_header(client.get("/sign-in"))
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}
    assert "httponly" in attributes
    assert "samesite=lax" in header.lower() or "samesite=strict" in header.lower()
    assert "expires" not in attributes
    assert "max-age" not in attributes
    assert "domain" not in attributes


def test_language_cookie_is_httponly_too(client) -> None:
    token = csrf_token(client, "/sign-in")
    response = client.post("/language", data={"language": "th", "csrf_token": token})
    header = _set_cookie_header(response, "casework_lang")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_production_cookie_is_host_prefixed_and_secure(production_app: Flask) -> None:
    client = production_app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    header = _set_cookie_header(client.get("/sign-in"), "__Host-casework_session")
    parts = [p.strip().lower() for p in header.split(";")]
    assert header.startswith("__Host-casework_session=")
    assert "secure" in parts
    assert "httponly" in parts
    assert "samesite=strict" in parts
    assert "path=/" in parts
    assert not any(p.startswith("domain=") for p in parts), "__Host- cookies carry no Domain"
    token = csrf_token(client, "/sign-in")
    response = client.post("/language", data={"language": "th", "csrf_token": token})
    assert "Secure" in _set_cookie_header(response, "casework_lang")
