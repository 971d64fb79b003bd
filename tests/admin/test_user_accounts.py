"""Accounts: deactivation ends live sessions; password and second-factor resets."""

from __future__ import annotations

from sqlalchemy import select

from casework.auth import passwords
from casework.auth.models import RecoveryCode
from casework.core.extensions import db
from casework.policy import Role
from tests.admin.conftest import audit_events, one_time_password, post_form, text
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


def test_reset_password(admin_client, login_as, client) -> None:
    user_client, account = login_as(Role.PARTNER)
    user = account.user
    user.failed_sign_ins = 3
    db.session.commit()
    path = f"/admin/users/{user.id}/reset-password"
    confirm = admin_client.get(path)
    assert confirm.status_code == 200
    assert "one-time password" in text(confirm)
    db.session.expire_all()
    assert passwords.verify_password(user.password_hash, account.password)  # only asked

    response = post_form(admin_client, path)
    assert response.status_code == 200
    password = one_time_password(response)
    db.session.expire_all()
    assert user.must_change_password
    assert user.failed_sign_ins == 0
    assert passwords.verify_password(user.password_hash, password)
    assert not passwords.verify_password(user.password_hash, account.password)
    [event] = audit_events("user.password_reset")
    assert event.target_id == str(user.id)
    assert event.detail == "password_hash,must_change_password"
    assert password not in text(admin_client.get(f"/admin/users/{user.id}/edit"))

    assert user_client.get("/").headers["Location"].startswith("/sign-in")  # session ended
    account.password = password
    sign_in(client, account)
    forced = client.get("/")
    assert forced.status_code == 302
    assert forced.headers["Location"].endswith("/account/password")


def test_reset_second_factor(admin_client, login_as) -> None:
    user_client, account = login_as(Role.SUPERVISOR)
    user = account.user
    db.session.add(RecoveryCode(user_id=user.id, code_hash="x" * 64))
    db.session.commit()
    path = f"/admin/users/{user.id}/reset-second-factor"
    assert admin_client.get(path).status_code == 200
    response = post_form(admin_client, path)
    assert response.status_code == 302
    db.session.expire_all()
    assert user.totp_secret is None
    assert user.totp_enrolled_at is None
    assert (
        db.session.execute(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).first()
        is None
    )
    [event] = audit_events("mfa.reset")
    assert event.target_id == str(user.id)
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
