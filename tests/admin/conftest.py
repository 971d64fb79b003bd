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

OTP_RE = re.compile(r'id="one-time-password">([^<]+)<')
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


def one_time_password(response: Any) -> str:
    """The one-time password shown on an account-created or password-reset page."""
    match = OTP_RE.search(text(response))
    assert match, "no one-time password on the page"
    return match.group(1)
