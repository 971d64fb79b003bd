"""E-mail for notifications: a case reference and a link, never personal data.

`queue(email)` writes an `outbound_emails` row in the current transaction and hands its id
to the job queue once that transaction commits: an action that is rolled back sends nothing,
and an action is never slowed (nor failed) by the mail server. `notifications/delivery.py`
sends it, trying again with backoff. Backends: "smtp" (the standard library's smtplib, when
MAIL_SERVER is set: one short message per notification needs nothing more), "console" (the
development default: logs that a message went to a user id, with its link) and "memory"
(tests).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage

from flask import Flask

from casework.core.db import utcnow

log = logging.getLogger("casework.mail")
MEMORY_OUTBOX = "casework_mail_sent"
DELIVER = "mail.deliver"
# E-mails whose link is a credential (decision 0056): never logged in production, and wiped
# from the outbox once sent.
CREDENTIAL_KINDS = frozenset({"account_invitation", "account_password_reset"})
SENT_CREDENTIAL = "(sent: the link is kept only in the e-mail)"


@dataclass(frozen=True)
class Email:
    user_id: uuid.UUID
    address: str
    kind: str
    subject: str
    body: str
    link: str


def backend(app: Flask) -> str:
    return str(
        app.config.get("MAIL_BACKEND") or ("smtp" if app.config["MAIL_SERVER"] else "console")
    )


def queue(email: Email) -> None:
    """Send `email` once the current transaction commits (through the job queue)."""
    from casework.core.extensions import db
    from casework.jobs.api import enqueue_after_commit
    from casework.notifications.models import OutboundEmail

    now = utcnow()
    row = OutboundEmail(
        user_id=email.user_id,
        kind=email.kind,
        subject=email.subject,
        body=email.body,
        link=email.link,
        created_at=now,
        run_after=now,
        dispatched_at=now,
    )
    db.session.add(row)
    enqueue_after_commit(DELIVER, str(row.id))


def send_now(app: Flask, email: Email) -> None:
    kind = backend(app)
    if kind == "memory":
        app.extensions.setdefault(MEMORY_OUTBOX, []).append(email)
    elif kind == "smtp":
        _send_smtp(app, email)
    else:
        extra = {"kind": email.kind, "to_user_id": str(email.user_id)}
        if not (email.kind in CREDENTIAL_KINDS and app.config.get("ENV_NAME") == "production"):
            # A credential link (an invitation, a reset) is never written to a production log.
            extra["link"] = email.link
        log.info("e-mail sent (console mailer)", extra=extra)


def _send_smtp(app: Flask, email: Email) -> None:
    cfg = app.config
    message = EmailMessage()
    message["From"] = cfg["MAIL_DEFAULT_SENDER"]
    message["To"] = email.address
    message["Subject"] = email.subject
    message.set_content(email.body)
    timeout = cfg["MAIL_TIMEOUT_SECONDS"]
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if cfg["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(
            cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout)
    with smtp:
        if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
            smtp.starttls(context=context)
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(message)
    log.info("e-mail sent", extra={"kind": email.kind, "to_user_id": str(email.user_id)})


def permanent(error: BaseException) -> bool:
    """A refusal that trying again will not change (a 5xx answer: bad address, rejected)."""
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [answer[0] for answer in error.recipients.values()]
        return bool(codes) and all(500 <= c < 600 for c in codes)
    return isinstance(code, int) and 500 <= code < 600
