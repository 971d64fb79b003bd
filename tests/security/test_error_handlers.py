"""Refusals raised below the view: a PermissionDenied from an operation is the same audited 404
as a view's own denial, an erased case's data is a clear page, an operation's refusal that no
view caught is a page with its message. Never a server error, and nothing is saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Blueprint, Flask
from sqlalchemy import select

from casework.admin.operations import create_agency
from casework.agencies.models import Agency
from casework.cases.lifecycle.erasure import erase_case
from casework.cases.models import Case
from casework.core.db import utcnow
from casework.core.errors import OperationError
from casework.core.extensions import db
from casework.policy import Action, Role, require
from casework.web.access import permission
from casework.web.views import signed_in_user
from tests import factories
from tests.conftest import csrf_token, sign_in_directly
from tests.security.helpers import events, last_seq

PROBE_AGENCY = "Probe Agency Made By An Operation"


def _probe_routes() -> Blueprint:
    probe = Blueprint("probe_errors", __name__, url_prefix="/probe-errors")

    @probe.route("/operation", methods=["POST"])
    @permission(Action.VIEW_DASHBOARD)
    def operation_refuses() -> str:
        # The route lets every role in; the operation asks the policy itself and refuses.
        create_agency(signed_in_user(), name=PROBE_AGENCY, org_type="NGO", country="TH")
        return "created"

    @probe.route("/half-done", methods=["POST"])
    @permission(Action.VIEW_DASHBOARD)
    def half_done() -> str:
        # A change is flushed, then the policy refuses: the change must not survive.
        db.session.add(Agency(name=PROBE_AGENCY, org_type="NGO", country="TH"))
        db.session.flush()
        require(signed_in_user(), Action.MANAGE_USERS)
        return "done"

    @probe.route("/erased/<uuid:case_id>", methods=["POST"])
    @permission(Action.VIEW_DASHBOARD)
    def write_erased(case_id: object) -> str:
        case = db.session.get(Case, case_id)
        assert case is not None
        assert case.person is not None
        case.person.phone = "+66 80 000 0000"  # needs the destroyed data key
        db.session.flush()
        return "written"

    @probe.route("/refused", methods=["POST"])
    @permission(Action.VIEW_DASHBOARD)
    def refused() -> str:
        raise OperationError("This probe refuses, in words meant for the person.")

    return probe


@pytest.fixture
def probe_app(extra_app: Callable[..., Flask]) -> Flask:
    application = extra_app()
    application.register_blueprint(_probe_routes())
    return application


class _Client:
    """A signed-in client whose POSTs carry the CSRF token."""

    def __init__(self, app: Flask, account: factories.Account) -> None:
        self.client = app.test_client()
        sign_in_directly(self.client, account)
        self.token = csrf_token(self.client, "/account")

    def post(self, path: str) -> Any:
        return self.client.post(path, data={"csrf_token": self.token})


def _signed_in(app: Flask, role: Role) -> tuple[_Client, factories.Account]:
    account = factories.make_user(role)
    db.session.commit()
    return _Client(app, account), account


def _agencies_named(name: str) -> list[Agency]:
    db.session.expire_all()
    return list(db.session.scalars(select(Agency).where(Agency.name == name)))


def test_permission_denied_in_an_operation_is_an_audited_404(probe_app: Flask) -> None:
    with probe_app.app_context():
        client, account = _signed_in(probe_app, Role.CASEWORKER)
        seq = last_seq()
        response = client.post("/probe-errors/operation")
        assert response.status_code == 404
        assert "Page not found" in response.get_data(as_text=True)
        denials = events("access.denied", after_seq=seq)
        assert [(e.actor_id, e.detail, e.outcome) for e in denials] == [
            (account.user.id, Action.MANAGE_AGENCIES.value, "denied")
        ]
        assert _agencies_named(PROBE_AGENCY) == []


def test_a_refusal_after_a_flush_saves_nothing_and_is_audited(probe_app: Flask) -> None:
    with probe_app.app_context():
        client, _account = _signed_in(probe_app, Role.SUPERVISOR)
        seq = last_seq()
        response = client.post("/probe-errors/half-done")
        assert response.status_code == 404
        assert [e.detail for e in events("access.denied", after_seq=seq)] == [
            Action.MANAGE_USERS.value
        ]
        assert _agencies_named(PROBE_AGENCY) == []


def test_the_operation_succeeds_for_whom_the_policy_allows(probe_app: Flask) -> None:
    """The probe is not a route that always fails: an administrator creates the agency."""
    with probe_app.app_context():
        client, _account = _signed_in(probe_app, Role.ADMIN)
        response = client.post("/probe-errors/operation")
        assert response.status_code == 200
        assert len(_agencies_named(PROBE_AGENCY)) == 1


def test_erased_data_is_a_clear_page_not_a_server_error(probe_app: Flask) -> None:
    with probe_app.app_context():
        client, account = _signed_in(probe_app, Role.SUPERVISOR)
        case = factories.make_case(account.user.agency, full_name="Erased Person")
        case.status, case.closure_reason, case.closed_at = "Closed", "goals_met", utcnow()
        db.session.flush()
        erase_case(None, case, reason="retention")
        db.session.commit()
        response = client.post(f"/probe-errors/erased/{case.id}")
        assert response.status_code == 410
        body = response.get_data(as_text=True)
        assert "This case was erased" in body
        assert "Nothing was saved" in body
        assert 'action="/sign-out"' in body, "the full page, with the signed-in navigation"
        db.session.expire_all()
        person = db.session.get(Case, case.id).person  # type: ignore[union-attr]
        assert person is not None
        assert person.phone is None


def test_an_uncaught_operation_error_shows_its_message(probe_app: Flask) -> None:
    with probe_app.app_context():
        client, _account = _signed_in(probe_app, Role.CASEWORKER)
        response = client.post("/probe-errors/refused")
        assert response.status_code == 409
        assert "This probe refuses, in words meant for the person." in response.get_data(
            as_text=True
        )
