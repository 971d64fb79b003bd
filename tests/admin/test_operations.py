"""Admin operations without HTTP: the first administrator, one-time passwords, and the
rules the operations keep whoever calls them."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from casework.admin import checks, operations
from casework.admin.operations import AdminInputError, bootstrap_admin
from casework.agencies.models import Agency
from casework.auth import passwords
from casework.auth.models import User
from casework.core.extensions import db
from casework.policy import PermissionDenied, Role
from tests import factories
from tests.admin.conftest import audit_events

STRONG = "tamarind lantern glacier orbit"


def make_admin(app: Flask, **changes: str) -> User:
    values = {
        "email": "First.Admin@Example.org",
        "name": "First Admin",
        "agency_name": "Regional Office",
        "country": "TH",
        "password": STRONG,
    }
    return bootstrap_admin(**{**values, **changes})


def test_bootstrap_admin_creates_agency_and_admin(app: Flask) -> None:
    user = make_admin(app)
    assert user.email == "first.admin@example.org"
    assert (user.role, user.active, user.must_change_password) == ("admin", True, False)
    assert user.totp_enrolled_at is None
    assert user.totp_secret is None
    assert passwords.verify_password(user.password_hash, STRONG)
    agency = db.session.get(Agency, user.agency_id)
    assert agency is not None
    assert (agency.name, agency.country, agency.org_type, agency.active) == (
        "Regional Office",
        "TH",
        "InternationalOrganisation",
        True,
    )
    [created] = audit_events("user.created")
    assert created.target_id == str(user.id)
    assert created.actor_id is None
    assert created.detail == "email,name,agency_id,role"
    assert len(audit_events("agency.created")) == 1


def test_bootstrap_admin_reuses_an_existing_agency(app: Flask) -> None:
    agency = factories.make_agency("Regional Office", country="PH")
    user = make_admin(app, agency_name="regional office")
    assert user.agency_id == agency.id
    assert audit_events("agency.created") == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password": "short"}, "at least 12"),
        ({"password": "password1234"}, "too easy to guess"),
        ({"password": "Summer2026!!"}, "too easy to guess"),
        ({"country": "XX"}, "country code"),
        ({"country": ""}, "country code"),
        ({"email": "not an email"}, "email address"),
        ({"name": "  "}, "characters"),
    ],
)
def test_bootstrap_admin_refuses_bad_input(app: Flask, changes, message) -> None:
    with pytest.raises(AdminInputError, match=message):
        make_admin(app, **changes)
    assert db.session.execute(select(User)).first() is None
    assert db.session.execute(select(Agency)).first() is None


def test_bootstrap_admin_refuses_a_duplicate_email(app: Flask) -> None:
    factories.make_user(Role.CASEWORKER, email="first.admin@example.org")
    with pytest.raises(AdminInputError, match="already exists"):
        make_admin(app, email=" FIRST.ADMIN@example.org")


def test_bootstrap_admin_refuses_a_deactivated_agency(app: Flask) -> None:
    factories.make_agency("Regional Office", active=False)
    with pytest.raises(AdminInputError, match="deactivated"):
        make_admin(app)


def test_create_admin_command(app: Flask) -> None:
    runner = app.test_cli_runner()
    args = ["create-admin", "--email", "cli@example.org", "--name", "Cli Admin"]
    args += ["--agency", "Cli Office", "--country", "vn", "--password", STRONG]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Administrator created" in result.output
    assert STRONG not in result.output
    db.session.expire_all()
    user = db.session.execute(select(User).where(User.email == "cli@example.org")).scalar_one()
    assert user.role == "admin"
    assert user.agency.country == "VN"

    weak = runner.invoke(args=[*args[:-1], "weakpassword"])
    assert weak.exit_code != 0
    assert "already exists" in weak.output or "guess" in weak.output


def test_a_new_account_has_a_password_nobody_knows(app: Flask) -> None:
    """No credential ever reaches the administrator (decision 0056): the operation returns
    the account only, and its password hash matches no password handed to anyone."""
    admin = factories.make_user(Role.ADMIN).user
    agency = factories.make_agency()
    with app.test_request_context():
        user = operations.create_user(
            admin, email="x@agency.org", name="X Person", agency_id=agency.id, role="partner"
        )
    assert isinstance(user, User)
    assert not passwords.verify_password(user.password_hash, "")
    assert user.approved_at is None


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN], ids=str)
def test_operations_refuse_non_admins(app: Flask, role: Role) -> None:
    actor = factories.make_user(role).user
    target = factories.make_user(Role.CASEWORKER).user
    agency = target.agency
    with app.test_request_context():
        calls = [
            lambda: operations.create_agency(actor, name="N", org_type="NGO", country="TH"),
            lambda: operations.update_agency(actor, agency, name="N", org_type="NGO", country="TH"),
            lambda: operations.set_agency_active(actor, agency, False),
            lambda: operations.create_user(
                actor, email="n@x.org", name="N", agency_id=agency.id, role="admin"
            ),
            lambda: operations.update_user(
                actor, target, email="n@x.org", name="N", agency_id=agency.id, role="admin"
            ),
            lambda: operations.set_user_active(actor, target, False),
            lambda: operations.reset_user_password(actor, target),
            lambda: operations.reset_user_second_factor(actor, target),
        ]
        for call in calls:
            with pytest.raises(PermissionDenied):
                call()
    assert target.active
    assert target.role == "caseworker"
    assert agency.active


def test_operations_flush_but_never_commit(app: Flask) -> None:
    admin = factories.make_user(Role.ADMIN).user
    db.session.commit()
    with app.test_request_context():
        agency = operations.create_agency(admin, name="Uncommitted", org_type="NGO", country="TH")
    assert db.session.execute(select(Agency).where(Agency.id == agency.id)).first() is not None
    db.session.rollback()
    assert db.session.execute(select(Agency).where(Agency.name == "Uncommitted")).first() is None
    assert audit_events("agency.created") == []


def test_deactivating_an_agency_ends_every_member_session(app: Flask) -> None:
    admin = factories.make_user(Role.ADMIN).user
    agency = factories.make_agency()
    members = [factories.make_user(Role.CASEWORKER, agency).user for _ in range(3)]
    outsider = factories.make_user(Role.CASEWORKER).user
    with app.test_request_context():
        assert operations.set_agency_active(admin, agency, False) is True
        assert operations.set_agency_active(admin, agency, False) is False
    assert [m.session_epoch for m in members] == [1, 1, 1]
    assert outsider.session_epoch == 0
    assert not any(m.is_active for m in members)


def test_a_duplicate_that_slips_past_the_check_is_a_field_error(app: Flask, monkeypatch) -> None:
    """Two administrators saving the same name at once: the second one's check passes, the
    database refuses. On PostgreSQL that is a field error and the request carries on."""
    admin = factories.make_user(Role.ADMIN).user
    factories.make_agency("Raced Name")
    db.session.commit()
    monkeypatch.setattr(checks, "agency_name_taken", lambda *args, **kwargs: False)
    with app.test_request_context():
        if db.engine.dialect.name == "sqlite":
            # No savepoints on SQLite (see checks.unique_flush): the flush fails outright.
            with pytest.raises(IntegrityError):
                operations.create_agency(admin, name="Raced Name", org_type="NGO", country="TH")
            return
        with pytest.raises(AdminInputError) as refused:
            operations.create_agency(admin, name="Raced Name", org_type="NGO", country="TH")
        assert refused.value.field == "name"
        # the transaction is still usable
        operations.create_agency(admin, name="Another Name", org_type="NGO", country="TH")
    assert [e.detail for e in audit_events("agency.created")] == [
        "name,org_type,country,time_zone,services_offered"
    ]
