"""Hypothesis fuzzing of every form and query parameter, signed in as each role.

The targets are discovered from the live pages (tests/fuzz/discovery.py: one page per route of
`app.url_map`, every form and every link with a query), over the demo data (agencies, users,
cases, referrals, services), so new endpoints are fuzzed as soon as a page links to them.
Hypothesis draws a target and a value for each field: the field's own options, text with
markup, SQL, control and right-to-left characters, very long text, odd numbers and dates,
unknown extra fields; the CSRF token is kept, dropped or forged. For every request:

- no 500, ever;
- without a valid CSRF token: refused (400) and nothing changes;
- a rejected request (any status >= 400) stores nothing; the audit trail may record it;
- a query (GET) changes nothing but the audit trail.

Example counts come from the profile in tests/fuzz/conftest.py: `ci` by default (FUZZ_EXAMPLES
per role, 60), `FUZZ_PROFILE=deep` for a long run.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from casework.auth import operations as auth_ops
from casework.core.extensions import db
from casework.devdata.accounts import DEMO_USERS, demo_password
from casework.devdata.demo import current_demo_code, load_demo
from casework.policy import Role
from tests.conftest import csrf_token
from tests.fuzz.conftest import fuzz_settings
from tests.fuzz.discovery import Field, Form, Reach, discover, query_fields
from tests.security.helpers import snapshot

NASTY = [
    "",
    " ",
    "0",
    "-1",
    "99999999999999999999",
    "1e309",
    "NaN",
    "' OR '1'='1",
    "1; DROP TABLE users;--",
    '"><script>alert(1)</script>',
    "{{7*7}}",
    "../../etc/passwd",
    "%00",
    "\x00",
    "\u202eevil",
    "\u0e01\u0e48\u0e2d\u0e19 \U0001d4d0 \U0001f642 Zalgo\u0337\u0322",  # Thai, math A
    "2024-02-30",
    "9999-12-31",
    "0000-00-00",
    "00000000-0000-0000-0000-000000000000",
    "x" * 5000,
]
TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.dates().map(str),
)
# The demo account each role fuzzes as.
ROLE_EMAIL = {role: next(email for r, email, _n, _a in DEMO_USERS if r == role) for role in Role}
AUDIT_TABLES = {"audit_events", "audit_head"}
EXTRA_NAMES = ["x", "id", "agency_id", "role", "version", "status", "case_id"]


def value_for(field: Field) -> st.SearchStrategy[str | None]:
    """A value for one field: mostly plausible for its kind, often hostile; None = omitted."""
    plausible: list[st.SearchStrategy[str]] = [st.just(field.value)]
    if field.options:
        plausible.append(st.sampled_from(field.options))
    if field.kind == "number":
        plausible.append(st.integers(-5, 200).map(str))
    if field.kind == "date":
        plausible.append(st.dates().map(str))
    if field.kind in {"checkbox", "radio"}:
        plausible.append(st.sampled_from([field.value or "y", "on", "1"]))
    return st.one_of(st.none(), *plausible, TEXT)


def signed_in(app: Flask, role: Role) -> FlaskClient:
    client = app.test_client()
    email = ROLE_EMAIL[role]
    token = csrf_token(client, "/sign-in")
    answer = client.post(
        "/sign-in", data={"email": email, "password": demo_password(email), "csrf_token": token}
    )
    assert answer.status_code == 302, answer.status_code
    code = current_demo_code(email)
    answer = client.post(
        "/sign-in/code", data={"code": code, "csrf_token": csrf_token(client, "/sign-in/code")}
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    return client


def _state() -> dict[str, list[tuple[str, ...]]]:
    return {k: v for k, v in snapshot().items() if k not in AUDIT_TABLES}


def _body(form: Form, values: dict[str, str | None], csrf: str, extra: dict[str, str]) -> Any:
    data: list[tuple[str, str]] = [
        (name, value)
        for name, value in values.items()
        if value is not None and name != "csrf_token"
    ]
    data += list(extra.items())
    if csrf == "valid" and form.csrf is not None:
        data.append(("csrf_token", form.csrf))
    elif csrf == "forged":
        data.append(("csrf_token", "ImZvcmdlZCI.forged.token"))
    return MultiDict(data)


def _fuzz(app: Flask, client: FlaskClient, reach: Reach, data: st.DataObject, role: Role) -> None:
    targets: list[tuple[str, Form | str]] = [("form", f) for f in reach.forms]
    targets += [("link", link) for link in reach.links]
    kind, target = data.draw(st.sampled_from(targets), label="target")
    extra = data.draw(
        st.dictionaries(
            st.sampled_from(["x", "id", "agency_id", "role", "version"]), TEXT, max_size=2
        ),
        label="extra fields",
    )
    before = _state()
    if kind == "link":
        assert isinstance(target, str)
        fields = query_fields(target)
        values = {f.name: data.draw(value_for(f), label=f.name) for f in fields}
        query = urlencode(
            [(k, v) for k, v in values.items() if v is not None] + list(extra.items())
        )
        response = client.get(urlsplit(target).path + "?" + query)
        method = "GET"
    else:
        assert isinstance(target, Form)
        values = {f.name: data.draw(value_for(f), label=f.name) for f in target.fields}
        if target.method == "GET":
            query = urlencode([(k, v) for k, v in values.items() if v is not None])
            response = client.get(urlsplit(target.action).path + "?" + query)
            method = "GET"
        else:
            csrf = data.draw(st.sampled_from(["valid", "valid", "missing", "forged"]), label="csrf")
            response = client.post(target.action, data=_body(target, values, csrf, extra))
            method = "POST"
            if csrf != "valid":
                assert response.status_code == 400, (target.action, csrf, response.status_code)
    where = f"{role} {method} {target if isinstance(target, str) else target.action}"
    assert response.status_code < 500, where
    if method == "GET" or response.status_code >= 400:
        assert _state() == before, f"{where} answered {response.status_code} and changed data"


@pytest.fixture
def demo(app: Flask) -> None:
    load_demo()
    db.session.commit()
    # Each role's demo account, fully signed in: none must change its password first.
    for _role, email, _name, _agency in DEMO_USERS:
        user = auth_ops.find_user_by_email(email)
        assert user is not None
        assert not user.must_change_password


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_fuzz_every_form_and_query(
    app: Flask, demo: None, role: Role, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Wrong current passwords end a session at REAUTH_LIMIT (tests/security test that); the
    # fuzzing sends many, and must still reach every form afterwards.
    monkeypatch.setitem(app.config, "REAUTH_LIMIT", "10000 per 15 minutes")
    client = signed_in(app, role)
    reach = discover(app, client)
    assert reach.pages, "the role reaches pages"
    assert "main.dashboard" in reach.pages

    @fuzz_settings()
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        _fuzz(app, client, reach, data, role)
        db.session.rollback()

    fuzz()
    # Still signed in: nothing the fuzzing sent ended the session.
    assert client.get("/account").status_code == 200


def test_discovery_finds_the_forms_of_each_area(app: Flask, demo: None) -> None:
    """Discovery is what makes the fuzzing cover new pages: check it finds known ones."""
    admin = discover(app, signed_in(app, Role.ADMIN))
    endpoints = {form.endpoint for form in admin.forms}
    assert {"admin.new_agency", "admin.new_user", "admin.list_users"} <= endpoints
    caseworker = discover(app, signed_in(app, Role.CASEWORKER))
    assert any(e.startswith("cases.") for e in caseworker.pages), caseworker.pages
