"""Accounts: deactivation ends live sessions; password and second-factor resets."""

from __future__ import annotations

from sqlalchemy import select

from casework.auth import passwords
from casework.auth.models import RecoveryCode
from casework.core.extensions import db
from casework.notifications.models import Notification
from casework.policy import Role
from tests import factories
from tests.admin.conftest import audit_events, choose_password, mailed_link, post_form, text
from tests.conftest import csrf_token, sign_in
from tests.security.helpers import post_password


def test_deactivating_a_user_ends_their_live_session(admin_client, login_as) -> None:
    user_client, account = login_as(Role.CASEWORKER)
    assert user_client.get("/").status_code == 200
    path = f"/admin/users/{account.user.id}/active"

    confirm = admin_client.get(path)
    assert confirm.status_code == 200
    assert "Deactivate account" in text(confirm)
    assert user_client.get("/").status_code == 200  # asking changed nothing

    response = post_form(admin_client, path, {"active": "0"})
    assert response.status_code == 302
    signed_out = user_client.get("/")
    assert signed_out.status_code == 302
    assert signed_out.headers["Location"].startswith("/sign-in")
    db.session.expire_all()
    assert not account.user.active
    [event] = audit_events("user.deactivated")
    assert (event.target_id, event.detail) == (str(account.user.id), "active")
    # and cannot sign in again
    response = post_password(user_client, account.user.email, account.password)
    assert response.status_code == 200
    assert "/sign-in/code" not in response.headers.get("Location", "")

    assert post_form(admin_client, path, {"active": "1"}).status_code == 302
    db.session.expire_all()
    assert account.user.active
    assert len(audit_events("user.reactivated")) == 1
    sign_in(user_client, account)
    assert user_client.get("/").status_code == 200


def test_admin_cannot_deactivate_themselves(admin) -> None:
    client, account = admin
    response = post_form(client, f"/admin/users/{account.user.id}/active", {"active": "0"})
    assert response.status_code == 422
    assert "You cannot deactivate your own account." in text(response)
    assert client.get("/admin/users").status_code == 200


def test_reset_password_sends_a_link_the_admin_never_sees(
    app, admin_client, login_as, client
) -> None:
    user_client, account = login_as(Role.PARTNER)
    user = account.user
    supervisor = factories.make_user(Role.SUPERVISOR, user.agency)
    user.failed_sign_ins = 3
    db.session.commit()
    path = f"/admin/users/{user.id}/reset-password"
    confirm = admin_client.get(path)
    assert confirm.status_code == 200
    assert "you never see it" in text(confirm)
    db.session.expire_all()
    assert passwords.verify_password(user.password_hash, account.password)  # only asked

    response = post_form(admin_client, path)
    assert response.status_code == 302
    db.session.expire_all()
    assert user.failed_sign_ins == 0
    assert not passwords.verify_password(user.password_hash, account.password)
    [event] = audit_events("user.password_reset")
    assert event.target_id == str(user.id)
    assert event.detail == "password_hash"
    link = mailed_link(app, user.email)
    assert link.rsplit("/", 1)[-1] not in text(admin_client.get(f"/admin/users/{user.id}/edit"))
    assert user_client.get("/").headers["Location"].startswith("/sign-in")  # session ended
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == supervisor.user.id)
    ).all()
    assert kinds == ["account_changed"]

    account.password = "tamarind lantern glacier orbit"
    assert choose_password(client, link, account.password).status_code == 302
    sign_in(client, account)  # with the new password and their second factor
    assert client.get("/").status_code == 200


def test_reset_second_factor_waits_for_the_supervisors_approval(
    app, admin_client, login_as
) -> None:
    user_client, account = login_as(Role.CASEWORKER)
    user = account.user
    supervisor = factories.make_user(Role.SUPERVISOR, user.agency)
    db.session.add(RecoveryCode(user_id=user.id, code_hash="x" * 64))
    db.session.commit()
    path = f"/admin/users/{user.id}/reset-second-factor"
    assert admin_client.get(path).status_code == 200
    response = post_form(admin_client, path)
    assert response.status_code == 302
    db.session.expire_all()
    assert user.totp_secret  # nothing cleared yet
    assert user_client.get("/").status_code == 200
    assert audit_events("mfa.reset") == []
    [asked] = audit_events("mfa.reset_requested")
    assert asked.target_id == str(user.id)

    supervisor_client = app.test_client()
    sign_in(supervisor_client, supervisor)
    token = csrf_token(supervisor_client, "/accounts/approvals")
    response = supervisor_client.post(
        f"/accounts/{user.id}/decision",
        data={"subject": "second_factor", "decision": "approve", "csrf_token": token},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert user.totp_secret is None
    assert user.totp_enrolled_at is None
    assert (
        db.session.execute(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).first()
        is None
    )
    [event] = audit_events("mfa.reset")
    assert (event.actor_id, event.target_id) == (supervisor.user.id, str(user.id))
    assert user_client.get("/").headers["Location"].startswith("/sign-in")


def test_admin_cannot_reset_own_credentials(admin) -> None:
    client, account = admin
    for action in ("reset-password", "reset-second-factor"):
        response = post_form(client, f"/admin/users/{account.user.id}/{action}")
        assert response.status_code == 422
    db.session.expire_all()
    assert not account.user.must_change_password
    assert account.user.totp_secret


def test_unknown_user_is_404(admin_client) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    for action in ("edit", "active", "reset-password", "reset-second-factor"):
        assert admin_client.get(f"/admin/users/{missing}/{action}").status_code == 404
    token = csrf_token(admin_client, "/admin/users/new")
    response = admin_client.post(
        f"/admin/users/{missing}/active", data={"csrf_token": token, "active": "0"}
    )
    assert response.status_code == 404
