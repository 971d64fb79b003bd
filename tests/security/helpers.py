"""Shared helpers for the security tests: URL-map walking, sign-in steps, state snapshots,
page-markup checks."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from casework.audit.models import AuditEvent
from casework.core.extensions import db
from casework.web.access import PUBLIC_ENDPOINTS
from tests.conftest import csrf_token

SESSION_COOKIE = "casework_session"
AUDIT_TABLES = {"audit_events", "audit_head"}
IGNORED_METHODS = {"HEAD", "OPTIONS"}
_VARIABLE = re.compile(r"<(?:(?P<converter>[a-zA-Z_]\w*)(?:\((?P<args>.*?)\))?:)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Endpoint:
    endpoint: str
    method: str
    path: str
    has_variables: bool

    @property
    def public(self) -> bool:
        return self.endpoint in PUBLIC_ENDPOINTS

    def view(self, app: Flask) -> Any:
        return app.view_functions[self.endpoint]


def _dummy(converter: str | None, args: str | None) -> str:
    if converter == "uuid":
        return str(uuid.uuid4())
    if converter == "int":
        return "1"
    if converter == "float":
        return "1.5"
    if converter == "path":
        return "dummy/value"
    if converter == "any" and args:
        return args.split(",")[0].strip().strip("'\"")
    return uuid.uuid4().hex  # string: an id nobody has


def fill(rule: str) -> str:
    """The rule with every URL variable replaced by a dummy value (uuid4 for ids)."""
    return _VARIABLE.sub(lambda m: quote(_dummy(m["converter"], m["args"]), safe="/"), rule)


def endpoints(app: Flask) -> list[Endpoint]:
    """Every (rule, method) of the app except HEAD and OPTIONS."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - IGNORED_METHODS):
            found.append(Endpoint(rule.endpoint, method, fill(rule.rule), bool(rule.arguments)))
    return sorted(found, key=lambda e: (e.endpoint, e.method, e.path))


def non_public(app: Flask, method: str | None = None) -> list[Endpoint]:
    return [e for e in endpoints(app) if not e.public and (method is None or e.method == method)]


def send(client: FlaskClient, endpoint: Endpoint, token: str | None = None) -> Any:
    data = {"csrf_token": token} if token else {}
    if endpoint.method == "GET":
        return client.get(endpoint.path)
    return client.open(endpoint.path, method=endpoint.method, data=data)


def location_path(response: Any) -> str:
    return urlsplit(response.headers.get("Location", "")).path


def is_sign_in_redirect(response: Any) -> bool:
    return response.status_code in (302, 303) and location_path(response) == "/sign-in"


# ---- sign-in steps --------------------------------------------------------------------------


def post_password(client: FlaskClient, email: str, password: str, query: str = "") -> Any:
    token = csrf_token(client, "/sign-in")
    return client.post(
        "/sign-in" + query, data={"email": email, "password": password, "csrf_token": token}
    )


def post_code(client: FlaskClient, code: str, path: str = "/sign-in/code") -> Any:
    token = csrf_token(client, path)
    return client.post(path, data={"code": code, "csrf_token": token})


def session_id(client: FlaskClient, name: str = SESSION_COOKIE) -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie is not None else None


# ---- state ----------------------------------------------------------------------------------


def snapshot(include_audit: bool = False) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table (as text), to compare before and after requests."""
    db.session.rollback()
    state = {}
    for table in db.metadata.sorted_tables:
        if table.name in AUDIT_TABLES and not include_audit:
            continue
        rows = db.session.execute(select(table)).all()
        state[table.name] = sorted(tuple(str(v) for v in row) for row in rows)
    db.session.rollback()
    return state


def events(action: str | None = None, after_seq: int = 0) -> list[AuditEvent]:
    db.session.expire_all()
    query = select(AuditEvent).where(AuditEvent.seq > after_seq).order_by(AuditEvent.seq)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(db.session.execute(query).scalars())


def last_seq() -> int:
    db.session.expire_all()
    return int(db.session.execute(select(func.coalesce(func.max(AuditEvent.seq), 0))).scalar())


# ---- page markup ----------------------------------------------------------------------------

_CSRF_VALUE = re.compile(
    r'(name="csrf_token"[^>]*value=")[^"]*(")|(value=")[^"]*("[^>]*name="csrf_token")'
)
_REQUEST_ID = re.compile(r"<code>[A-Za-z0-9_.-]{8,64}</code>")


def normalise(html: str, *replace: str) -> str:
    """A page without what differs from one request to the next (CSRF tokens, request ids)
    and without the given strings (for example the email the person typed)."""
    html = _CSRF_VALUE.sub(lambda m: (m[1] or m[3]) + "TOKEN" + (m[2] or m[4]), html)
    html = _REQUEST_ID.sub("<code>REQUEST-ID</code>", html)
    for value in replace:
        html = html.replace(value, "REPLACED")
    return html


class _MarkupAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower() for name, _ in attrs}
        if tag == "script":
            self._in_script = True
            if "src" not in names:
                self.problems.append("<script> without src")
        if tag == "style":
            self.problems.append("<style> element")
        if "style" in names:
            self.problems.append(f"style= attribute on <{tag}>")
        handlers = sorted(name for name in names if name.startswith("on"))
        if handlers:
            self.problems.append(f"inline event handler {handlers} on <{tag}>")
        for name, value in attrs:
            if name in {"href", "src", "action"} and (value or "").lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL on <{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("inline script content")


def markup_problems(html: str) -> list[str]:
    """What the Content-Security-Policy would block: inline scripts, styles and handlers."""
    parser = _MarkupAudit()
    parser.feed(html)
    parser.close()
    return parser.problems


def is_html(response: Any) -> bool:
    return bool(response.mimetype == "text/html")


def walk_get(client: FlaskClient, app: Flask) -> Iterator[tuple[Endpoint, Any]]:
    for endpoint in non_public(app, "GET"):
        yield endpoint, client.get(endpoint.path)
