"""Delivering queued e-mails (task `mail.deliver`, run by the job queue's workers).

Claim the row (a second delivery of the same id finds it taken), send, record. A failure
that may pass (the server is down, refuses for now) goes back to the queue after 30 s, 1 min,
2 min ... (MAIL_RETRY_SECONDS doubled each time) until MAIL_MAX_ATTEMPTS; a permanent refusal
(5xx) or the last attempt fails it for good. Logs carry the kind, the user id and the error's
class, never an address or the server's words (they can quote the address).
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import timedelta

from flask import current_app

from casework.auth.models import User
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.domain import WorkEvent
from casework.jobs import engine, registry
from casework.jobs.claims import claim, move
from casework.jobs.sweeper import register_outbox
from casework.notifications import mailer
from casework.notifications.models import OutboundEmail

log = logging.getLogger("casework.mail")
LEASE_SECONDS = 120.0  # one message: well past MAIL_TIMEOUT_SECONDS for each SMTP step


@registry.task(mailer.DELIVER)
def deliver_email(email_id: str) -> None:
    key = uuid.UUID(email_id)
    won = claim(OutboundEmail, key, utcnow(), LEASE_SECONDS)
    db.session.commit()
    if not won:
        return
    row = db.session.get(OutboundEmail, key)
    if row is None:  # pragma: no cover - claimed a moment ago
        return
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        _finish(row, WorkEvent.FAIL, "RecipientInactive")
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    email = mailer.Email(user.id, user.email, row.kind, row.subject, row.body, row.link)
    try:
        mailer.send_now(app, email)
    except (OSError, smtplib.SMTPException) as error:
        _after_failure(row, error)
        return
    row.sent_at = utcnow()
    if row.kind in mailer.CREDENTIAL_KINDS:
        row.body = row.link = mailer.SENT_CREDENTIAL
    _finish(row, WorkEvent.SUCCEED, None)


def _after_failure(row: OutboundEmail, error: BaseException) -> None:
    name = type(error).__name__
    extra = {"kind": row.kind, "to_user_id": str(row.user_id), "error": name}
    max_attempts = int(current_app.config["MAIL_MAX_ATTEMPTS"])
    if mailer.permanent(error) or row.attempts >= max_attempts:
        _finish(row, WorkEvent.FAIL, name)
        log.error("e-mail not sent: given up", extra={**extra, "attempts": row.attempts})
        return
    delay = registry.backoff_seconds(
        float(current_app.config["MAIL_RETRY_SECONDS"]), 2.0, row.attempts
    )
    move(row, WorkEvent.RETRY)
    row.error = name
    row.lease_until = None
    row.run_after = row.dispatched_at = utcnow() + timedelta(seconds=delay)
    key = str(row.id)
    db.session.commit()
    log.warning("e-mail not sent: will try again", extra={**extra, "retry_in": delay})
    engine.send(current_app._get_current_object(), mailer.DELIVER, key, delay=delay)  # type: ignore[attr-defined]


def _finish(row: OutboundEmail, event: WorkEvent, error: str | None) -> None:
    move(row, event)
    row.error = error
    row.lease_until = None
    row.finished_at = utcnow()
    db.session.commit()


register_outbox(OutboundEmail, mailer.DELIVER)
