"""Every route of the application turns away who should not reach it.

Walks `app.url_map`: anonymous visitors are sent to sign in, each role is refused (404 and an
audit event) on whatever the hand-written matrix in tests/test_policy.py says it may not do,
and no GET changes anything. A probe app with one route per action checks the route guard on
every cell of the matrix, whichever feature routes exist yet.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Blueprint, Flask

from casework.core.extensions import db
from casework.policy import Action, Role
from casework.web.access import PUBLIC_ENDPOINTS, permission
from tests import factories
from tests.conftest import csrf_token, sign_in_directly
from tests.security.helpers import (
    endpoints,
    events,
    is_html,
    is_sign_in_redirect,
    last_seq,
    markup_problems,
    non_public,
    send,
    snapshot,
)
from tests.test_policy import EXPECTED

EXPECTED_PUBLIC = {
    "static",
    "bootstrap.static",
    "main.health",
    "main.set_language",
    "auth.sign_in",
    "auth.second_factor",
    "auth.enrol_totp",
    "auth.cancel_sign_in",
    "auth.choose_password",  # an invitation or reset link, e-mailed to the person (0056)
    "federation.identity",
    "federation.inbox",
}
ENDS_SESSION = {"auth.sign_out"}  # every role may sign out
# Audit actions a GET may write: denials and records of reading.
READ_SUFFIXES = (".view", ".viewed", ".read", ".list", ".listed", ".search", ".searched")


def test_public_allowlist_is_exactly_the_short_expected_set() -> None:
    assert set(PUBLIC_ENDPOINTS) == EXPECTED_PUBLIC


def test_every_public_endpoint_exists(app: Flask) -> None:
    assert set(app.view_functions) >= EXPECTED_PUBLIC


def test_every_non_public_endpoint_declares_its_action(app: Flask) -> None:
    """Deny by default: an endpoint that declares nothing is unreachable, so it must say."""
    undeclared = sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint not in PUBLIC_ENDPOINTS
        and not isinstance(getattr(view, "required_action", None), Action)
    )
    assert undeclared == []
    assert len([e for e in app.view_functions if e not in PUBLIC_ENDPOINTS]) >= 5


def test_anonymous_get_is_sent_to_sign_in(app: Flask, client) -> None:
    walked = non_public(app, "GET")
    assert len(walked) >= 3
    for endpoint in walked:
        response = client.get(endpoint.path)
        assert is_sign_in_redirect(response), (endpoint, response.status_code)


def test_anonymous_writes_are_refused_and_change_nothing(app: Flask, client) -> None:
    writes = [e for e in endpoints(app) if e.method != "GET" and not e.public]
    assert writes, "sign-out at least"
    before = snapshot(include_audit=True)
    token = csrf_token(client, "/sign-in")
    for endpoint in writes:
        without = send(client, endpoint)
        assert without.status_code == 400 or is_sign_in_redirect(without), endpoint
        with_token = send(client, endpoint, token)
        assert is_sign_in_redirect(with_token), (endpoint, with_token.status_code)
    assert snapshot(include_audit=True) == before


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_is_refused_with_404_and_an_audit_event(app: Flask, login_as, role) -> None:
    client, account = login_as(role)
    token = csrf_token(client, "/account")
    for endpoint in non_public(app):
        action = endpoint.view(app).required_action
        expected = EXPECTED[(role, action)]
        if expected == "no":
            seq = last_seq()
            response = send(client, endpoint, token)
            assert response.status_code == 404, (endpoint, response.status_code)
            assert [(e.actor_id, e.detail, e.outcome) for e in events(after_seq=seq)] == [
                (account.user.id, action.value, "denied")
            ], endpoint
        elif endpoint.method == "GET" and not endpoint.has_variables:
            # Allowed: reached, not refused. (Allowed writes are not sent: they would act.)
            seq = last_seq()
            response = client.get(endpoint.path)
            assert response.status_code != 404, endpoint
            assert events("access.denied", after_seq=seq) == [], endpoint
    assert client.get("/").status_code == 200, "still signed in after the walk"
    for endpoint in ENDS_SESSION:
        assert EXPECTED[(role, app.view_functions[endpoint].required_action)] == "yes"


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_no_get_changes_state(app: Flask, login_as, role) -> None:
    """GET every endpoint (public ones too) as each role: no row changes, and the audit
    trail gains only denials and records of reading. Pages pass the CSP markup check."""
    client, _account = login_as(role)
    before = snapshot()
    seq = last_seq()
    gets = [e for e in endpoints(app) if e.method == "GET"]
    for endpoint in gets:
        response = client.get(endpoint.path)
        assert response.status_code < 500, endpoint
        if response.status_code == 200 and is_html(response):
            assert markup_problems(response.get_data(as_text=True)) == [], endpoint
    assert snapshot() == before
    written = {e.action for e in events(after_seq=seq)}
    refusals = {"access.denied", "access.not_found"}  # a missing record is audited like a refusal
    assert {a for a in written if a not in refusals and not a.endswith(READ_SUFFIXES)} == set()
    # still signed in: none of the GETs signed the user out
    assert client.get("/").status_code == 200


# ---- the guard on every cell, through a probe app ------------------------------------------


def _probe_view(action: Action | None) -> Callable[[], str]:
    def view() -> str:
        return "probe ok"

    return permission(action)(view) if action is not None else view


@pytest.fixture
def probe_app(extra_app) -> Flask:
    application = extra_app()
    probe = Blueprint("probe", __name__, url_prefix="/probe")
    for action in Action:
        probe.add_url_rule(
            f"/{action.value}",
            endpoint=action.value.replace(".", "_"),
            view_func=_probe_view(action),
            methods=["GET", "POST"],
        )
    probe.add_url_rule("/undeclared", "undeclared", _probe_view(None), methods=["GET", "POST"])
    application.register_blueprint(probe)
    return application


def test_probe_anonymous(probe_app: Flask) -> None:
    client = probe_app.test_client()
    token = csrf_token(client, "/sign-in")
    for action in [*Action, None]:
        path = f"/probe/{action.value if action else 'undeclared'}"
        assert is_sign_in_redirect(client.get(path)), path
        assert is_sign_in_redirect(client.post(path, data={"csrf_token": token})), path


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_probe_guard_matches_the_matrix(probe_app: Flask, role: Role) -> None:
    with probe_app.app_context():
        account = factories.make_user(role)
        db.session.commit()
        client = probe_app.test_client()
        sign_in_directly(client, account)
        token = csrf_token(client, "/account")
        for action in Action:
            path = f"/probe/{action.value}"
            for method in ("GET", "POST"):
                seq = last_seq()
                response = client.open(
                    path, method=method, data={"csrf_token": token} if method == "POST" else None
                )
                denials = events("access.denied", after_seq=seq)
                if EXPECTED[(role, action)] == "no":
                    assert response.status_code == 404, (action, method)
                    assert [(e.actor_id, e.detail) for e in denials] == [
                        (account.user.id, action.value)
                    ]
                else:
                    assert response.status_code == 200, (action, method)
                    assert response.get_data(as_text=True) == "probe ok"
                    assert denials == []
        seq = last_seq()
        assert client.get("/probe/undeclared").status_code == 404
        assert [e.detail for e in events("access.denied", after_seq=seq)] == ["probe.undeclared"]
        # the denial page is the ordinary "not found" page, not a "forbidden" one
        body = client.get("/probe/undeclared").get_data(as_text=True)
        assert "Page not found" in body
        assert "Error 404" in body
        assert "Error 403" not in body  # (a bare "403" can occur in the random reference)
        assert "Forbidden" not in body
