"""Typing counts as activity (the keep-alive), and after the idle timeout the person comes back
to the form they were on once signed in again (issue 16)."""

from __future__ import annotations

import time

from casework.policy import Role
from tests.conftest import csrf_token


def _age_session(client, seconds: float) -> None:
    with client.session_transaction() as session:
        session["seen_at"] = time.time() - seconds


def test_the_keep_alive_renews_the_idle_time(app, login_as) -> None:
    client, _account = login_as(Role.CASEWORKER)
    token = csrf_token(client, "/")
    idle = app.config["IDLE_TIMEOUT_MINUTES"] * 60
    _age_session(client, idle - 30)
    answer = client.post("/drafts/alive", headers={"X-CSRFToken": token})
    assert answer.status_code == 200
    assert answer.get_json() == {"idle_seconds": idle}
    with client.session_transaction() as session:
        assert time.time() - session["seen_at"] < 30
    assert client.post("/drafts/alive").status_code == 400  # CSRF, like every POST


def test_after_the_timeout_sign_in_returns_to_the_page(app, login_as) -> None:
    client, _account = login_as(Role.CASEWORKER)
    _age_session(client, app.config["IDLE_TIMEOUT_MINUTES"] * 60 + 5)
    answer = client.get("/cases/new?q=secret")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/sign-in?next=/cases/new")  # no query string


def test_a_keep_alive_after_the_timeout_does_not_become_the_return_page(app, login_as) -> None:
    client, _account = login_as(Role.CASEWORKER)
    token = csrf_token(client, "/")
    _age_session(client, app.config["IDLE_TIMEOUT_MINUTES"] * 60 + 5)
    answer = client.post("/drafts/alive", headers={"X-CSRFToken": token})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/sign-in")


def test_the_page_carries_the_idle_timeout_for_the_warning(app, login_as) -> None:
    client, _account = login_as(Role.CASEWORKER)
    page = client.get("/cases/new").get_data(as_text=True)
    assert f'data-idle-seconds="{app.config["IDLE_TIMEOUT_MINUTES"] * 60}"' in page
    assert 'role="alertdialog"' in page
    assert "js/drafts.js" in page


def test_asking_the_time_left_does_not_renew_the_session(app, login_as) -> None:
    """The idle warning asks the server first (another tab may have kept the session alive);
    asking is not activity."""
    client, _account = login_as(Role.CASEWORKER)
    idle = app.config["IDLE_TIMEOUT_MINUTES"] * 60
    _age_session(client, idle - 100)
    answer = client.get("/drafts/alive")
    assert answer.status_code == 200
    assert 40 <= answer.get_json()["seconds_left"] <= 100
    with client.session_transaction() as session:
        assert time.time() - session["seen_at"] >= idle - 100
    _age_session(client, idle + 5)
    ended = client.get("/drafts/alive")
    assert ended.status_code == 302  # past the time: the session ends, as on any page
