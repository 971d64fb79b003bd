"""E-mail through the job queue: a real SMTP server on loopback refuses, then accepts.

The action answers while the first delivery attempt is still held by the server (so the
request never waited for it), the message is retried with backoff and arrives once, later.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from casework.core.extensions import db
from casework.domain import WorkStatus
from casework.jobs import engine
from casework.notifications.models import Notification, OutboundEmail
from casework.policy import Role
from tests import factories
from tests.conftest import build_app, csrf_token, sign_in
from tests.jobs.smtp import RefuseThenAccept, smtp_server

# A worker in another thread or process reads what the test wrote: needs real commits.
pytestmark = pytest.mark.committing


def wait_for(condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _email_status(email_id: object) -> str | None:
    db.session.rollback()
    return db.session.scalar(select(OutboundEmail.status).where(OutboundEmail.id == email_id))


def test_refused_then_accepted_arrives_once_later_without_slowing_the_action(
    app: Flask,
) -> None:
    agency = factories.make_agency()
    supervisor = factories.make_user(Role.SUPERVISOR, agency=agency)
    caseworker = factories.make_user(Role.CASEWORKER, agency=agency)
    case = factories.make_case(agency)
    db.session.commit()

    server = RefuseThenAccept(refusals=2)
    with smtp_server(server) as port:
        live = build_app(
            app.config["INSTANCE_DIR"],
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
            JOBS_MODE="in-process",
            JOBS_BROKER_URL="memory",
            MAIL_BACKEND="smtp",
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=port,
            MAIL_USE_TLS=False,
            MAIL_RETRY_SECONDS=0.5,
        )
        try:
            client = live.test_client()
            sign_in(client, supervisor)  # the first request starts the in-process worker
            path = f"/cases/{case.id}/assign"
            response = client.post(
                path,
                data={"assignee": str(caseworker.user.id), "csrf_token": csrf_token(client, path)},
            )
            assert response.status_code == 302
            # The action has answered; the worker's first attempt is now (or soon) held by the
            # server, unanswered: the request did not wait for the mail server.
            assert server.first_attempt.wait(30), "the worker never tried to send"
            assert server.received == []
            [note] = db.session.scalars(
                select(Notification).where(Notification.user_id == caseworker.user.id)
            ).all()
            [email] = db.session.scalars(
                select(OutboundEmail).where(OutboundEmail.user_id == caseworker.user.id)
            ).all()
            assert note.kind == email.kind == "case_assigned"
            server.release.set()
            assert wait_for(lambda: _email_status(email.id) == WorkStatus.SUCCEEDED)
            time.sleep(1.5)  # any duplicate delivery would have arrived by now
        finally:
            engine.stop_in_process(live)
    assert server.attempts == 3  # refused twice, then accepted
    assert len(server.received) == 1, "the notification arrives once"
    [message] = server.received
    assert message.rcpt_tos == [caseworker.user.email]
    content = message.content.decode()
    assert case.reference in content
    assert "Test Person" not in content  # a reference and a link, never the person
    db.session.rollback()
    sent = db.session.get(OutboundEmail, email.id)
    assert sent is not None
    assert (sent.attempts, sent.error) == (3, None)
    assert sent.sent_at is not None
    assert sent.sent_at > sent.created_at
