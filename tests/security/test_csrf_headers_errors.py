"""CSRF refusals, security headers on every kind of response, and error pages in plain words
that give nothing away."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

import pytest
from flask import Blueprint, Flask, abort

from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db
from casework.policy import Action, Role
from casework.web.access import permission
from tests import factories
from tests.conftest import csrf_token, sign_in
from tests.security.helpers import (
    events,
    is_sign_in_redirect,
    location_path,
    markup_problems,
    post_code,
    post_password,
    snapshot,
)

CANARY = "zqcanary-exception-text /srv/secret/path"
FORM_EXPIRED = "This form was open too long or was sent twice. Nothing was saved"


def assert_security_headers(response, *, production: bool = False) -> None:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        if part.strip():
            name, *values = part.split()
            directives[name] = values
    assert directives.get("default-src") == ["'self'"]
    assert directives.get("object-src") == ["'none'"]
    assert directives.get("base-uri") == ["'none'"]
    assert directives.get("frame-ancestors") == ["'none'"]
    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header
    assert "no-store" in response.headers.get("Cache-Control", "")
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "no-referrer"
    hsts = response.headers.get("Strict-Transport-Security")
    if production:
        assert hsts
        assert "max-age=" in hsts
        assert int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000
    else:
        assert hsts is None


# ---- CSRF --------------------------------------------------------------------------------


def test_sign_in_without_token_is_refused(app: Flask, client) -> None:
    account = factories.make_user(Role.CASEWORKER)
    db.session.commit()
    client.get("/sign-in")
    before = snapshot(include_audit=True)
    data = {"email": account.user.email, "password": account.password}
    response = client.post("/sign-in", data=data)
    assert response.status_code == 400
    assert FORM_EXPIRED in response.get_data(as_text=True)
    assert_security_headers(response)
    other = app.test_client()
    data["csrf_token"] = csrf_token(other, "/sign-in")  # a token from another browser
    assert client.post("/sign-in", data=data).status_code == 400
    assert is_sign_in_redirect(client.get("/sign-in/code")), "not half-signed-in"
    assert snapshot(include_audit=True) == before


def test_sign_out_without_token_is_refused(login_as) -> None:
    client, _account = login_as(Role.CASEWORKER)
    response = client.post("/sign-out")
    assert response.status_code == 400
    assert client.get("/").status_code == 200
    assert events("sign_out") == []


def test_change_password_without_token_is_refused(login_as) -> None:
    client, account = login_as(Role.CASEWORKER)
    before = snapshot()
    response = client.post(
        "/account/password",
        data={
            "current_password": account.password,
            "new_password": "lantern meadow copper violin",
            "confirm_password": "lantern meadow copper violin",
        },
    )
    assert response.status_code == 400
    assert snapshot() == before


def test_language_without_token_is_refused(client) -> None:
    client.get("/sign-in")
    response = client.post("/language", data={"language": "th", "next": "/sign-in"})
    assert response.status_code == 400
    assert client.get_cookie("casework_lang") is None
    token = csrf_token(client, "/sign-in")
    response = client.post("/language", data={"language": "th", "csrf_token": token})
    assert response.status_code == 302
    assert client.get_cookie("casework_lang").value == "th"


def test_cross_site_form_is_refused_even_with_a_token(app: Flask, client) -> None:
    account = factories.make_user(Role.CASEWORKER)
    db.session.commit()
    token = csrf_token(client, "/sign-in")
    data = {"email": account.user.email, "password": account.password, "csrf_token": token}
    for site in ("cross-site", "same-site"):
        response = client.post("/sign-in", data=data, headers={"Sec-Fetch-Site": site})
        assert response.status_code == 400, site
    assert is_sign_in_redirect(client.get("/sign-in/code"))
    response = client.post("/sign-in", data=data, headers={"Sec-Fetch-Site": "same-origin"})
    assert location_path(response) == "/sign-in/code"
    # following a link from another site is fine: only writes are refused
    assert client.get("/sign-in/code", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200


def test_production_forms_work_without_a_referer(production_app: Flask) -> None:
    """Browsers send no Referer under our no-referrer policy; HTTPS forms must still work."""
    client = production_app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    token = csrf_token(client, "/sign-in")
    response = client.post("/language", data={"language": "vi", "csrf_token": token})
    assert response.status_code == 302
    assert client.post("/language", data={"language": "vi"}).status_code == 400


# ---- headers -----------------------------------------------------------------------------


def test_headers_on_pages(login_as, client) -> None:
    assert_security_headers(client.get("/sign-in"))
    signed_in, _account = login_as(Role.SUPERVISOR)
    assert_security_headers(signed_in.get("/"))
    assert_security_headers(signed_in.get("/account"))


def test_headers_on_a_404(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert_security_headers(response)


def test_headers_on_redirects_and_json(client) -> None:
    assert_security_headers(client.get("/"))  # redirect to sign-in
    response = client.get("/health")
    assert response.json == {"status": "ok", "database": "ok", "keyring": "ok"}
    assert_security_headers(response)


def test_hsts_only_in_production(production_app: Flask) -> None:
    client = production_app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    assert_security_headers(client.get("/sign-in"), production=True)
    assert_security_headers(client.get("/no-such-page"), production=True)


# ---- error pages -----------------------------------------------------------------------


def _test_only_routes() -> Blueprint:
    routes = Blueprint("test_only", __name__, url_prefix="/test-only")

    @routes.route("/boom")
    @permission(Action.VIEW_DASHBOARD)
    def boom() -> str:
        db.session.add(Agency(name="Saved by a failing request", country="TH", org_type="NGO"))
        db.session.flush()
        raise RuntimeError(CANARY)

    @routes.route("/bad-request")
    @permission(Action.VIEW_DASHBOARD)
    def bad_request() -> str:
        abort(400)

    return routes


@pytest.fixture
def errors_app(extra_app: Callable[..., Flask]) -> Flask:
    application = extra_app(
        PROPAGATE_EXCEPTIONS=False, MAX_CONTENT_LENGTH=2048, SIGN_IN_RATE_LIMIT="2 per minute"
    )
    application.register_blueprint(_test_only_routes())
    return application


@pytest.fixture
def errors_client(errors_app: Flask):
    with errors_app.app_context():
        account = factories.make_user(Role.CASEWORKER)
        db.session.commit()
        client = errors_app.test_client()
        sign_in(client, account)
    return client


@pytest.fixture
def log_stream() -> io.StringIO:
    stream = io.StringIO()
    handlers = [
        h for h in logging.getLogger("casework").handlers if isinstance(h, logging.StreamHandler)
    ]
    assert handlers
    previous = [h.setStream(stream) for h in handlers]
    yield stream
    for handler, old in zip(handlers, previous, strict=True):
        handler.setStream(old)


def test_500_page_gives_nothing_away_and_saves_nothing(
    errors_app: Flask, errors_client, log_stream: io.StringIO
) -> None:
    response = errors_client.get("/test-only/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body
    assert "Nothing was saved" in body
    for leak in (CANARY, "zqcanary", "Traceback", "RuntimeError", 'File "'):
        assert leak not in body
    assert_security_headers(response)
    assert markup_problems(body) == []
    assert f"<code>{response.headers['X-Request-ID']}</code>" in body, "a reference to quote"
    with errors_app.app_context():
        assert db.session.query(Agency).filter_by(name="Saved by a failing request").count() == 0
    logged = log_stream.getvalue()
    assert "RuntimeError" in logged, "the failure is logged, by type"
    assert "zqcanary" not in logged, "but not its message"


PLAIN_WORDS = {
    400: ("Bad request", "could not be understood"),
    404: ("Page not found", "There is nothing here"),
    405: ("Not allowed", "does not accept that kind of request"),
    413: ("File too large", "larger than the limit"),
    429: ("Too many attempts", "Wait a few minutes"),
    500: ("Something went wrong", "Try again shortly"),
}
# What Werkzeug's own error pages say: ours must replace them.
WERKZEUG_WORDS = (
    "The requested URL was not found",
    "The method is not allowed",
    "The browser (or proxy) sent a request",
    "The data value transmitted exceeds the capacity limit",
    "The server encountered an internal error",
    "Too Many Requests",
    "per 1 minute",
)


def _provoke(status: int, errors_app: Flask, client) -> object:
    if status == 400:
        return client.get("/test-only/bad-request")
    if status == 404:
        return client.get("/no-such-page")
    if status == 405:
        return client.get("/sign-out")
    if status == 413:
        token = csrf_token(client, "/account")
        return client.post("/account/password", data={"csrf_token": token, "x": "y" * 4096})
    if status == 429:
        anonymous = errors_app.test_client()
        anonymous.environ_base["REMOTE_ADDR"] = "10.20.30.40"  # its own address limit
        token = csrf_token(anonymous, "/sign-in")
        data = {"email": "nobody@example.org", "password": "x" * 12, "csrf_token": token}
        for _ in range(2):
            assert anonymous.post("/sign-in", data=data).status_code == 200
        return anonymous.post("/sign-in", data=data)
    return client.get("/test-only/boom")


@pytest.mark.parametrize("status", sorted(PLAIN_WORDS))
def test_error_pages_in_plain_words(errors_app: Flask, errors_client, status: int) -> None:
    response = _provoke(status, errors_app, errors_client)
    assert response.status_code == status
    body = response.get_data(as_text=True)
    title, sentence = PLAIN_WORDS[status]
    assert f"<h1>{title}</h1>" in body
    assert sentence in body
    assert f"Error {status}" in body
    for words in WERKZEUG_WORDS:
        assert words not in body
    assert "Traceback" not in body
    assert_security_headers(response)
    assert markup_problems(body) == []
    assert response.headers["X-Request-ID"]


def test_csrf_error_page_in_plain_words(client) -> None:
    client.get("/sign-in")
    response = client.post("/sign-in", data={"email": "a@example.org", "password": "x" * 12})
    body = response.get_data(as_text=True)
    assert "<h1>Form expired</h1>" in body
    assert FORM_EXPIRED in body
    assert "The CSRF token is missing" not in body
    assert markup_problems(body) == []


# ---- page markup -------------------------------------------------------------------------


def test_sign_in_pages_have_no_inline_script_or_style(app: Flask, client, login_as) -> None:
    enrolling = factories.make_user(Role.CASEWORKER, enrolled=False)
    enrolled = factories.make_user(Role.CASEWORKER)
    db.session.commit()
    pages = [client.get("/sign-in")]
    post_password(client, enrolling.user.email, enrolling.password)
    pages.append(client.get("/sign-in/enrol"))
    other = app.test_client()
    post_password(other, enrolled.user.email, enrolled.password)
    pages.append(other.get("/sign-in/code"))
    post_code(other, enrolled.code())
    for path in ("/", "/account", "/account/password", "/no-such-page"):
        pages.append(other.get(path))
    for role in Role:
        signed_in, _account = login_as(role)
        pages.append(signed_in.get("/"))
    for page in pages:
        assert page.status_code in (200, 404)
        html = page.get_data(as_text=True)
        assert markup_problems(html) == [], page.request.path
        assert "<script" in html, "the check is looking at full pages"


def test_markup_check_catches_what_it_should() -> None:
    assert markup_problems('<script src="/x.js"></script><p class="a">x</p>') == []
    assert markup_problems("<script>alert(1)</script>")
    assert markup_problems('<p style="color:red">x</p>')
    assert markup_problems('<a href="#" onclick="x()">x</a>')
    assert markup_problems("<style>p{}</style>")
    assert markup_problems('<a href="javascript:x()">x</a>')


def test_signed_in_user_count_unchanged_by_error_pages(errors_app: Flask, errors_client) -> None:
    with errors_app.app_context():
        users = db.session.query(User).count()
    for status in (400, 404, 405, 500):
        _provoke(status, errors_app, errors_client)
    with errors_app.app_context():
        assert db.session.query(User).count() == users
    assert errors_client.get("/").status_code == 200
