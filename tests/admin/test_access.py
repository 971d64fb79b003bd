"""Only administrators reach the admin pages; everyone else gets 404, as for a missing page."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from casework.admin import queries
from casework.admin.scopes import visible_agencies, visible_audit_events, visible_users
from casework.agencies.models import Agency
from casework.audit.models import AuditEvent
from casework.auth.models import User
from casework.core.extensions import db
from casework.policy import Action, Role
from tests import factories
from tests.admin.conftest import ADMIN_PAGES, audit_events
from tests.conftest import csrf_token
from tests.security.helpers import markup_problems

NOT_ADMIN = [role for role in Role if role != Role.ADMIN]
ADMIN_ACTIONS = {Action.MANAGE_AGENCIES, Action.MANAGE_USERS, Action.VIEW_AUDIT}


def admin_routes(app: Flask, agency: Agency, user: User) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) of every admin route, with real ids in the paths."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("admin."):
                continue
            values = {"agency_id": agency.id, "user_id": user.id}
            path = rule.build({k: v for k, v in values.items() if k in rule.arguments})
            assert path is not None
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                routes.append((rule.endpoint, method, path[1]))
    return routes


def test_every_admin_view_declares_an_admin_action(app: Flask) -> None:
    endpoints = [e for e in app.view_functions if e.startswith("admin.")]
    assert {
        "admin.list_agencies",
        "admin.new_agency",
        "admin.edit_agency",
        "admin.set_agency_active",
        "admin.list_users",
        "admin.new_user",
        "admin.edit_user",
        "admin.set_user_active",
        "admin.reset_password",
        "admin.reset_second_factor",
        "admin.sign_ins",
        "admin.audit_log",
    } <= set(endpoints)
    for endpoint in endpoints:
        assert app.view_functions[endpoint].required_action in ADMIN_ACTIONS, endpoint


def test_admin_opens_every_page(admin_client) -> None:
    for path in [*ADMIN_PAGES, "/admin/agencies/new", "/admin/users/new"]:
        response = admin_client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers["Cache-Control"]


def test_no_admin_page_changes_anything_on_get(app: Flask, admin_client) -> None:
    """Every page: 200, nothing the CSP would block, tables and fields described."""
    agency = factories.make_agency()
    user = factories.make_user(Role.CASEWORKER, agency).user
    db.session.commit()
    before = (agency.active, user.active, user.session_epoch, user.password_hash)
    for _endpoint, method, path in admin_routes(app, agency, user):
        if method != "GET":
            continue
        response = admin_client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert markup_problems(page) == [], path
        assert page.count("<table") == page.count("<caption"), path
        assert page.count("<th ") == page.count('<th scope="col">'), path
        # A field is described by a label naming its id, or by the label that wraps it
        # (the checkbox lists, decision 0111).
        wrapped = "".join(re.findall(r"<label\b[^>]*>.*?</label>", page, re.S))
        for tag in re.findall(r"<(?:input|select)\b[^>]*>", page):
            field_id = re.search(r'\bid="([^"]+)"', tag)
            if 'type="hidden"' not in tag and tag not in wrapped:
                assert field_id, (path, tag)
                assert f'for="{field_id.group(1)}"' in page, (path, tag)
    db.session.expire_all()
    assert (agency.active, user.active, user.session_epoch, user.password_hash) == before
    written = {e.action for e in audit_events()}
    assert written <= {"sign_in.password_ok", "sign_in.success", "audit.viewed"}


@pytest.mark.parametrize("role", NOT_ADMIN, ids=str)
def test_other_roles_get_404_everywhere(app: Flask, login_as, role: Role) -> None:
    client, account = login_as(role)
    agency = factories.make_agency()
    user = factories.make_user(Role.CASEWORKER, agency).user
    db.session.commit()
    token = csrf_token(client, "/account")
    routes = admin_routes(app, agency, user)
    assert len(routes) >= 18
    for endpoint, method, path in routes:
        data = {
            "csrf_token": token,
            "active": "0",
            "name": "Crafted",
            "org_type": "NGO",
            "country": "TH",
            "email": "crafted@example.org",
            "agency_id": str(agency.id),
            "role": "admin",
        }
        response = client.open(path, method=method, data=data if method == "POST" else None)
        assert response.status_code == 404, (endpoint, method, response.status_code)
        assert "Page not found" in response.get_data(as_text=True)
    db.session.expire_all()
    assert agency.active
    assert user.active
    assert agency.name != "Crafted"
    assert (
        db.session.execute(select(User).where(User.email == "crafted@example.org")).first() is None
    )
    denials = audit_events("access.denied")
    assert len(denials) == len(routes)
    assert {e.actor_id for e in denials} == {account.user.id}
    assert {e.detail for e in denials} <= {a.value for a in ADMIN_ACTIONS}


def test_anonymous_is_sent_to_sign_in(client) -> None:
    for path in ADMIN_PAGES:
        response = client.get(path)
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_scoped_queries_are_empty_without_the_permission(role: Role) -> None:
    account = factories.make_user(role)
    factories.make_agency()
    db.session.flush()
    from casework import audit

    audit.record("test.event", actor=account.user)
    actor = account.user
    counts = [
        len(db.session.execute(query(actor)).scalars().all())
        for query in (visible_agencies, visible_users, visible_audit_events)
    ]
    if role == Role.ADMIN:
        assert counts == [2, 1, 1]
    else:
        assert counts == [0, 0, 0]


def test_scoped_queries_are_empty_for_nobody_and_inactive_admins() -> None:
    account = factories.make_user(Role.ADMIN)
    factories.make_user(Role.ADMIN, active=False)
    db.session.flush()
    inactive = db.session.execute(select(User).where(User.active.is_(False))).scalar_one()
    for actor in (None, inactive):
        assert db.session.execute(visible_users(actor)).first() is None
        assert db.session.execute(visible_agencies(actor)).first() is None
        assert db.session.execute(visible_audit_events(actor)).first() is None
    # the admin list queries build on them
    assert db.session.execute(queries.user_list(inactive)).first() is None
    assert len(db.session.execute(queries.user_list(account.user)).all()) == 2
    assert db.session.execute(select(AuditEvent)).first() is None
