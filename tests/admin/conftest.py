"""Fixtures for the admin pages: a signed-in administrator and form helpers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.core.extensions import db
from casework.policy import Role
from tests.conftest import csrf_token
from tests.factories import Account

LINK_RE = re.compile(r"(/account/password-link/[A-Za-z0-9_-]+)")
ADMIN_PAGES = ["/admin/agencies", "/admin/users", "/admin/sign-ins", "/admin/audit"]


@pytest.fixture
def admin(login_as: Callable[..., tuple[FlaskClient, Account]]) -> tuple[FlaskClient, Account]:
    """A signed-in administrator: (client, account)."""
    return login_as(Role.ADMIN)


@pytest.fixture
def admin_client(admin: tuple[FlaskClient, Account]) -> FlaskClient:
    return admin[0]


def post_form(client: FlaskClient, path: str, data: dict[str, Any] | None = None) -> Any:
    """POST `data` to `path` with the CSRF token of the form shown there."""
    token = csrf_token(client, path)
    return client.post(path, data={**(data or {}), "csrf_token": token})


def audit_events(action: str | None = None) -> list[AuditEvent]:
    db.session.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.seq)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(db.session.execute(query).scalars())


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def mailed_link(app: Any, email: str) -> str:
    """The path of the last credential link e-mailed to `email` (invitation or reset)."""
    sent = [m for m in app.extensions.get("casework_mail_sent", []) if m.address == email]
    assert sent, f"no e-mail to {email}"
    match = LINK_RE.search(sent[-1].link)
    assert match, "no credential link in the e-mail"
    return match.group(1)


def choose_password(client: FlaskClient, link: str, password: str) -> Any:
    """The person opens the link and chooses their password."""
    token = csrf_token(client, link)
    return client.post(
        link, data={"new_password": password, "confirm_password": password, "csrf_token": token}
    )
