"""Absolute links (e-mails) are built from CASEWORK_BASE_URL only (issue 12 item 4): never
from the request's Host or X-Forwarded-Host, which whoever sends the request chooses."""

from __future__ import annotations

from casework.notifications.operations import absolute
from casework.policy import Role
from tests import factories
from tests.admin.conftest import mailed_link, post_form
from tests.conftest import sign_in

EVIL = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}


def test_links_ignore_the_host_and_forwarded_host(extra_app) -> None:
    application = extra_app(TRUSTED_PROXY_COUNT=1, BASE_URL="https://casework.example.org")
    assert application.wsgi_app.x_host == 0  # type: ignore[attr-defined]
    with application.test_request_context("/", headers=EVIL):
        assert absolute("/notifications") == "https://casework.example.org/notifications"


def test_a_reset_link_sent_from_a_forged_host_points_at_casework(app) -> None:
    from casework.core.extensions import db

    admin = factories.make_user(Role.ADMIN)
    target = factories.make_user(Role.PARTNER)
    db.session.commit()
    client = app.test_client()
    sign_in(client, admin)
    client.environ_base.update({"HTTP_X_FORWARDED_HOST": "evil.example"})
    post_form(client, f"/admin/users/{target.user.id}/reset-password")
    sent = [m for m in app.extensions["casework_mail_sent"] if m.address == target.user.email]
    assert sent[-1].link.startswith(app.config["BASE_URL"] + "/account/password-link/")
    assert "evil.example" not in sent[-1].body
    assert mailed_link(app, target.user.email).startswith("/account/password-link/")
