"""A coordinator's report scope: one operation, set from the admin's user page or the
command line, audited; the admin sees no figures and no case doing it."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.core.extensions import db
from casework.policy import PermissionDenied, Role
from casework.reports.models import CoordinatorScope
from casework.reports.operations import ScopeError, set_coordinator_scope
from casework.reports.request import COUNTRY, REGION, Scope
from casework.reports.service import scope_of
from tests.conftest import csrf_token
from tests.factories import make_agency, make_user
from tests.reports.factories import counted_case


def scope_events() -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "report.scope.set")
            .order_by(AuditEvent.seq)
        )
    )


def coordinator():
    return make_user(Role.COORDINATOR, agency=make_agency("Coordination office", country="TH"))


def test_setting_a_scope_is_one_audited_operation(app: Flask) -> None:
    user = coordinator().user
    admin = make_user(Role.ADMIN).user
    assert scope_of(user) == Scope(COUNTRY, "TH")  # their agency's country until set
    assert set_coordinator_scope(admin, user, "KH") is True
    assert scope_of(user) == Scope(COUNTRY, "KH")
    assert set_coordinator_scope(admin, user, "KH") is False  # unchanged: no event
    assert set_coordinator_scope(None, user, None) is True
    assert scope_of(user) == Scope(REGION)
    events = scope_events()
    assert [(e.actor_id, e.target_id, e.detail) for e in events] == [
        (admin.id, str(user.id), "country KH"),
        (None, str(user.id), "region"),
    ]


def test_only_coordinators_have_a_scope_and_only_known_countries(app: Flask) -> None:
    user = coordinator().user
    supervisor = make_user(Role.SUPERVISOR).user
    with pytest.raises(ScopeError):
        set_coordinator_scope(None, supervisor, None)
    with pytest.raises(ScopeError):
        set_coordinator_scope(None, user, "XX")
    with pytest.raises(PermissionDenied):  # a coordinator cannot widen their own scope
        set_coordinator_scope(user, user, None)
    assert db.session.get(CoordinatorScope, user.id) is None
    assert scope_events() == []


def test_cli_sets_a_country_or_the_region(app: Flask) -> None:
    account = coordinator()
    email = account.user.email
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "set-scope", email.upper(), "--country", "ph"])
    assert result.exit_code == 0, result.output
    assert "now reports on country PH" in result.output
    assert scope_of(account.user) == Scope(COUNTRY, "PH")
    result = runner.invoke(args=["reports", "set-scope", email, "--region"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert scope_of(account.user) == Scope(REGION)
    again = runner.invoke(args=["reports", "set-scope", email, "--region"])
    assert again.exit_code == 0
    assert "nothing changed" in again.output
    assert [e.detail for e in scope_events()] == ["country PH", "region"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "--country", "TH"], "exactly one of"),
        ([], "exactly one of"),
        (["--country", "ZZ"], "Choose a country from the list"),
    ],
)
def test_cli_refuses_unclear_or_unknown_scopes(app: Flask, args: list[str], message: str) -> None:
    email = coordinator().user.email
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reports", "set-scope", email, *args])
    assert result.exit_code != 0
    assert message in result.output
    assert scope_events() == []


def test_cli_refuses_other_roles_and_unknown_accounts(app: Flask) -> None:
    supervisor = make_user(Role.SUPERVISOR).user.email
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "set-scope", supervisor, "--region"])
    assert result.exit_code == 1
    assert "Only coordinators have a report scope" in result.output
    result = runner.invoke(args=["reports", "set-scope", "nobody@example.org", "--region"])
    assert result.exit_code == 1
    assert "No account" in result.output


def test_admin_sets_the_scope_on_the_coordinators_page(app: Flask, login_as) -> None:
    account = coordinator()
    counted_case(make_agency("TH police", country="TH"), full_name="Somchai Secretname")
    db.session.commit()
    client, _admin = login_as(Role.ADMIN)
    path = f"/admin/users/{account.user.id}/edit"
    page = client.get(path).get_data(as_text=True)
    assert "Report scope" in page
    assert '<option selected value="TH">' in page  # the default: their agency's country
    token = csrf_token(client, path)
    saved = client.post(
        f"/admin/users/{account.user.id}/report-scope",
        data={"report-scope": "region", "report-csrf_token": token},
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert scope_of(account.user) == Scope(REGION)
    page = client.get(path).get_data(as_text=True)
    assert "The report scope has been saved." in page
    assert '<option selected value="region">' in page
    assert "Somchai" not in page  # the admin sees no case contents, nor figures
    bad = client.post(
        f"/admin/users/{account.user.id}/report-scope",
        data={"report-scope": "XX", "report-csrf_token": token},
    )
    assert bad.status_code == 422
    assert "Not a valid choice" in bad.get_data(as_text=True)
    assert [e.detail for e in scope_events()] == ["region"]


def test_no_scope_form_for_other_roles_and_none_for_non_admins(app: Flask, login_as) -> None:
    supervisor = make_user(Role.SUPERVISOR)
    target = coordinator()
    db.session.commit()
    client, _admin = login_as(Role.ADMIN)
    page = client.get(f"/admin/users/{supervisor.user.id}/edit").get_data(as_text=True)
    assert "Report scope" not in page
    token = csrf_token(client, f"/admin/users/{supervisor.user.id}/edit")
    refused = client.post(
        f"/admin/users/{supervisor.user.id}/report-scope",
        data={"report-scope": "region", "report-csrf_token": token},
    )
    assert refused.status_code == 404
    other, _coordinator = login_as(Role.COORDINATOR)
    token = csrf_token(other, "/reports/regional")
    assert (
        other.post(
            f"/admin/users/{target.user.id}/report-scope",
            data={"report-scope": "region", "report-csrf_token": token},
        ).status_code
        == 404
    )
    assert scope_events() == []
