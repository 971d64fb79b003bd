"""Users: create (an invitation, then a supervisor's approval), edit, deactivate, reset
password and second factor, list and search, end to end."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casework.auth import totp
from casework.auth.models import User
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.admin.conftest import audit_events, choose_password, mailed_link, post_form, text
from tests.conftest import csrf_token, sign_in
from tests.security.helpers import markup_problems, post_code, post_password

NEW = "/admin/users/new"


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()


def new_user_data(agency, **changes: str) -> dict[str, str]:
    data = {
        "email": "Nguyen.Lan@Agency.ORG",
        "name": "Nguyen Lan",
        "agency_id": str(agency.id),
        "role": "caseworker",
    }
    return {**data, **changes}


def test_create_user_sends_an_invitation_and_the_admin_never_sees_a_credential(app, admin) -> None:
    client, account = admin
    agency = factories.make_agency()
    supervisor = factories.make_user(Role.SUPERVISOR, agency)
    db.session.commit()
    response = post_form(client, NEW, new_user_data(agency))
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "An invitation to choose a password has been sent" in text(page)
    assert markup_problems(text(page)) == []

    user = user_by_email("nguyen.lan@agency.org")  # stored in lower case
    assert user is not None
    assert (user.name, user.agency_id, user.role, user.active) == (
        "Nguyen Lan",
        agency.id,
        "caseworker",
        True,
    )
    assert user.approved_at is None  # a supervisor of the agency must approve it
    assert not user.is_active
    assert user.totp_enrolled_at is None
    link = mailed_link(app, "nguyen.lan@agency.org")
    token = link.rsplit("/", 1)[-1]
    # The link is only in the e-mail: not on any page the admin sees, not in the audit trail,
    # not kept in the outbox once sent.
    for path in (f"/admin/users/{user.id}/edit", "/admin/users", "/admin/audit"):
        assert token not in text(client.get(path)), path
    assert not any(token in (e.detail or "") for e in audit_events())
    from casework.notifications.models import Notification, OutboundEmail

    assert not any(
        token in (row.body + row.link) for row in db.session.scalars(select(OutboundEmail))
    )
    [event] = audit_events("user.created")
    assert (event.actor_id, event.target_id) == (account.user.id, str(user.id))
    assert event.detail == "email,name,agency_id,role"
    # The agency's supervisor is told, and asked to approve.
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == supervisor.user.id)
    ).all()
    assert "account_approval_needed" in kinds


def test_new_user_chooses_a_password_is_approved_then_enrols(app, admin_client, client) -> None:
    agency = factories.make_agency()
    supervisor = factories.make_user(Role.SUPERVISOR, agency)
    db.session.commit()
    post_form(admin_client, NEW, new_user_data(agency))
    chosen = "tamarind lantern glacier orbit"
    response = choose_password(client, mailed_link(app, "nguyen.lan@agency.org"), chosen)
    assert response.status_code == 302
    # The link works once.
    assert client.get(mailed_link(app, "nguyen.lan@agency.org")).status_code == 404
    # Not usable until approved.
    response = post_password(client, "nguyen.lan@agency.org", chosen)
    assert "/sign-in/" not in response.headers.get("Location", "")
    # The administrator cannot approve it; the agency's supervisor can.
    user = user_by_email("nguyen.lan@agency.org")
    assert user is not None
    decision = {"subject": "account", "decision": "approve"}
    assert post_form(admin_client, "/admin/users", decision).status_code in (400, 405)
    token = csrf_token(admin_client, "/admin/users")
    refused = admin_client.post(
        f"/accounts/{user.id}/decision", data={**decision, "csrf_token": token}
    )
    assert refused.status_code == 404
    supervisor_client = app.test_client()
    sign_in(supervisor_client, supervisor)
    assert "Nguyen Lan" in text(supervisor_client.get("/accounts/approvals"))
    token = csrf_token(supervisor_client, "/accounts/approvals")
    approved = supervisor_client.post(
        f"/accounts/{user.id}/decision", data={**decision, "csrf_token": token}
    )
    assert approved.status_code == 302
    [event] = audit_events("account.approved")
    assert (event.actor_id, event.target_id) == (supervisor.user.id, str(user.id))
    response = post_password(client, "nguyen.lan@agency.org", chosen)
    assert response.headers["Location"].endswith("/sign-in/enrol")
    user = user_by_email("nguyen.lan@agency.org")
    assert user is not None
    assert user.totp_secret
    response = post_code(client, totp.current_code(user.totp_secret), "/sign-in/enrol")
    assert response.status_code == 200  # the recovery codes
    assert client.get("/").status_code == 200


def test_an_agencys_first_supervisor_is_approved_by_another_administrator(
    app, admin, login_as
) -> None:
    admin_client, _admin_account = admin
    agency = factories.make_agency()
    db.session.commit()
    post_form(admin_client, NEW, new_user_data(agency, role="supervisor"))
    user = user_by_email("nguyen.lan@agency.org")
    assert user is not None
    decision = {"subject": "account", "decision": "approve"}
    token = csrf_token(admin_client, "/accounts/approvals")
    own_request = admin_client.post(
        f"/accounts/{user.id}/decision", data={**decision, "csrf_token": token}
    )
    assert own_request.status_code == 404  # never their own request
    second_client, _second = login_as(Role.ADMIN)
    assert "Nguyen Lan" in text(second_client.get("/accounts/approvals"))
    token = csrf_token(second_client, "/accounts/approvals")
    response = second_client.post(
        f"/accounts/{user.id}/decision", data={**decision, "csrf_token": token}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert user.approved_at is not None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter an email address like"),
        ({"email": ""}, "email", "Enter the person"),
        ({"email": "a@" + "b" * 250 + ".org"}, "email", "254"),
        ({"name": ""}, "name", "Enter the person"),
        ({"role": "superuser"}, "role", "valid"),
        ({"agency_id": "00000000-0000-0000-0000-000000000000"}, "agency_id", "valid"),
    ],
)
def test_invalid_user_is_shown_again_with_422(admin_client, changes, field, message) -> None:
    agency = factories.make_agency()
    db.session.commit()
    data = new_user_data(agency, **changes)
    response = post_form(admin_client, NEW, data)
    assert response.status_code == 422
    page = text(response)
    assert message in page.split(f'id="{field}-error"')[1].split("</div>")[0]
    if field != "name":
        assert 'value="Nguyen Lan"' in page  # what was typed is kept
    assert "one-time-password" not in page
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 1  # the admin


def test_duplicate_email_is_a_field_error(admin_client) -> None:
    agency = factories.make_agency()
    factories.make_user(Role.PARTNER, agency, email="taken@agency.org")
    db.session.commit()
    response = post_form(admin_client, NEW, new_user_data(agency, email=" TAKEN@agency.org "))
    assert response.status_code == 422
    page = text(response)
    assert "An account with this email already exists." in page
    assert 'id="email-error"' in page
    assert audit_events("user.created") == []


def test_crafted_fields_are_ignored(admin_client) -> None:
    agency = factories.make_agency()
    db.session.commit()
    crafted = new_user_data(
        agency,
        password_hash="$argon2id$crafted",
        must_change_password="0",
        active="0",
        totp_secret="JBSWY3DPEHPK3PXP",
        session_epoch="99",
        approved_at="2026-01-01T00:00:00",
    )
    assert post_form(admin_client, NEW, crafted).status_code == 302
    user = user_by_email("nguyen.lan@agency.org")
    assert user is not None
    assert user.password_hash.startswith("$argon2id$v=")
    assert user.approved_at is None
    assert user.active
    assert user.totp_secret is None
    assert user.session_epoch == 0


def test_edit_user_records_changed_field_names(admin_client, login_as) -> None:
    agency, other = factories.make_agency(), factories.make_agency()
    db.session.commit()
    user_client, account = login_as(Role.CASEWORKER, agency=agency)
    user = account.user
    path = f"/admin/users/{user.id}/edit"
    page = text(admin_client.get(path))
    assert f'value="{user.email}"' in page
    assert (
        f'<option selected value="{agency.id}">' in page or f'value="{agency.id}" selected' in page
    )

    data = {"email": user.email, "name": "Renamed Person", "agency_id": str(agency.id)}
    response = post_form(admin_client, path, {**data, "role": "caseworker"})
    assert response.status_code == 302
    [event] = audit_events("user.updated")
    assert event.detail == "name"
    assert user_client.get("/").status_code == 200  # a new name does not sign them out

    response = post_form(
        admin_client, path, {**data, "role": "supervisor", "agency_id": str(other.id)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (user.name, user.role, user.agency_id) == ("Renamed Person", "supervisor", other.id)
    assert audit_events("user.updated")[-1].detail == "agency_id,role"
    # a new role or agency: signed in again under it
    assert user_client.get("/").headers["Location"].startswith("/sign-in")
    for event in audit_events():
        assert "Renamed" not in (event.detail or "")
        assert "@" not in (event.detail or "")


def test_edit_to_a_taken_email_is_a_field_error(admin_client) -> None:
    agency = factories.make_agency()
    factories.make_user(Role.PARTNER, agency, email="taken@agency.org")
    user = factories.make_user(Role.PARTNER, agency, email="mine@agency.org").user
    db.session.commit()
    path = f"/admin/users/{user.id}/edit"
    data = {"email": "Taken@Agency.org", "name": user.name, "agency_id": str(agency.id)}
    response = post_form(admin_client, path, {**data, "role": "partner"})
    assert response.status_code == 422
    assert "An account with this email already exists." in text(response)
    assert 'value="Taken@Agency.org"' in text(response)


def test_admin_cannot_change_own_role(admin) -> None:
    client, account = admin
    me = account.user
    path = f"/admin/users/{me.id}/edit"
    data = {"email": me.email, "name": me.name, "agency_id": str(me.agency_id), "role": "partner"}
    response = post_form(client, path, data)
    assert response.status_code == 422
    assert "You cannot change your own role." in text(response)
    db.session.expire_all()
    assert me.role == "admin"


def test_list_pages_search_and_filters(admin_client, app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "PAGE_SIZE", 4)
    shelter, police = factories.make_agency("Shelter"), factories.make_agency("Police")
    for n in range(6):
        factories.make_user(Role.CASEWORKER, shelter, email=f"worker{n}@shelter.org")
    factories.make_user(Role.SUPERVISOR, police, email="chief@police.org", active=False)
    db.session.commit()  # with the admin: 8 users

    first = text(admin_client.get("/admin/users"))
    assert "8 results" in first
    assert "Page 1 of 2" in first
    assert first.count("<tr>") == 5
    assert text(admin_client.get("/admin/users?page=2")).count("<tr>") == 5

    assert "6 results" in text(admin_client.get("/admin/users?q=SHELTER.org"))
    assert "1 result" in text(admin_client.get("/admin/users?q=worker3"))
    by_agency = text(admin_client.get(f"/admin/users?agency={police.id}"))
    assert "1 result" in by_agency
    assert "chief@police.org" in by_agency
    assert "1 result" in text(admin_client.get("/admin/users?role=supervisor"))
    assert "1 result" in text(admin_client.get("/admin/users?status=inactive"))
    assert "7 results" in text(admin_client.get("/admin/users?status=active"))
    paged = text(admin_client.get("/admin/users?q=worker"))
    assert "q=worker" in paged
    assert "page=2" in paged
    assert admin_client.get("/admin/users?role=root").status_code == 422
    assert admin_client.get("/admin/users?agency=nonsense").status_code == 422


def test_inactive_agencies_are_not_offered_for_new_users(admin_client) -> None:
    closed = factories.make_agency("Closed Agency", active=False)
    db.session.commit()
    assert "Closed Agency" not in text(admin_client.get(NEW))
    response = post_form(admin_client, NEW, new_user_data(closed))
    assert response.status_code == 422
    assert user_by_email("nguyen.lan@agency.org") is None
