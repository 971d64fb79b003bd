"""E-mail for notifications: a case reference and a link, never personal data.

Messages are queued on the database session and sent only after it commits, so an action
that is rolled back sends nothing. Backends: "smtp" (the standard library's smtplib, when
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
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("casework.mail")
OUTBOX = "casework_mail_outbox"
MEMORY_OUTBOX = "casework_mail_sent"


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
    """Send `email` once the current transaction commits."""
    from casework.core.extensions import db

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    db.session.info.setdefault(OUTBOX, []).append((app, email))


def send_now(app: Flask, email: Email) -> None:
    kind = backend(app)
    if kind == "memory":
        app.extensions.setdefault(MEMORY_OUTBOX, []).append(email)
    elif kind == "smtp":
        _send_smtp(app, email)
    else:
        log.info(
            "e-mail sent (console mailer)",
            extra={"kind": email.kind, "to_user_id": str(email.user_id), "link": email.link},
        )


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


def _after_commit(session: Session) -> None:
    queued: list[tuple[Flask, Email]] = session.info.pop(OUTBOX, [])
    for app, email in queued:
        try:
            send_now(app, email)
        except (OSError, smtplib.SMTPException) as error:
            # The in-app notification stands; the message is not retried.
            log.warning(
                "e-mail not sent",
                extra={
                    "kind": email.kind,
                    "to_user_id": str(email.user_id),
                    "error": type(error).__name__,
                },
            )


def _after_rollback(session: Session) -> None:
    session.info.pop(OUTBOX, None)


def init_mail(app: Any = None) -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
