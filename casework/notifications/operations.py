"""Notifications: who is told, in the app and by e-mail. A kind, a case reference and a link:
nothing about the person, so a notification can be read over a shoulder or go by e-mail."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from casework import audit
from casework.auth.models import User
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.notifications import mailer
from casework.notifications.models import Notification
from casework.policy import Role
from casework.vocab import Vocabulary

KINDS = Vocabulary(
    "notification_kind",
    [
        ("referral_received", _l("New referral received")),
        ("referral_accepted", _l("Referral accepted")),
        ("referral_declined", _l("Referral declined")),
        ("referral_completed", _l("Referral completed")),
        ("referral_revoked", _l("Referral revoked by the sender")),
        ("referral_expired", _l("Referral expired without an answer")),
        ("transfer_received", _l("A case transfer waits for your answer")),
        ("transfer_accepted", _l("Transfer accepted: the case changed agency")),
        ("transfer_declined", _l("Transfer declined")),
        ("transfer_withdrawn", _l("Transfer withdrawn by the sender")),
        ("risk_alert", _l("Risk alert from a counselling session")),
        ("referral_ended_by_closure", _l("Referral ended: the case was closed")),
        ("case_assigned", _l("A case was assigned to you")),
        ("closure_requested", _l("Closure requested: your approval is needed")),
        ("plan_approval_requested", _l("A support plan waits for your approval")),
        ("plan_approval_decided", _l("Your request for a plan approval was answered")),
        ("plan_step_due", _l("A step of a support plan you are responsible for is due")),
        ("account_approval_needed", _l("An account change waits for your approval")),
        ("account_changed", _l("An account of your agency was changed")),
        ("possible_duplicate", _l("A case registered elsewhere may concern one of your cases")),
        (
            "duplicate_checks_throttled",
            _l("A colleague made many duplicate checks without registering a case"),
        ),
    ],
)


def agency_users(agency_id: Any, roles: Iterable[Role]) -> list[User]:
    """Active users of an agency with one of `roles`."""
    query = select(User).where(
        User.agency_id == agency_id,
        User.active.is_(True),
        User.role.in_([role.value for role in roles]),
    )
    return list(db.session.execute(query.order_by(User.created_at)).scalars())


def case_owners(case: Any) -> list[User]:
    """Who looks after a case: its caseworker, else its agency's supervisors."""
    if case.assigned_to is not None and case.assigned_to.active:
        return [case.assigned_to]
    return agency_users(case.agency_id, [Role.SUPERVISOR])


def link_to(endpoint: str, **values: Any) -> str:
    """The path of a page, in a request or not (the expiry command has none)."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def absolute(link: str) -> str:
    """An absolute address of `link`, from BASE_URL only: never from the request's Host (or
    X-Forwarded-Host), which whoever sends the request chooses (issue 12 item 4)."""
    base = str(current_app.config.get("BASE_URL") or "")
    return base.rstrip("/") + link if base else link


def notify(users: Iterable[User], kind: str, *, case: Any | None, link: str) -> list[Notification]:
    """Tell each user (once) about `kind` on `case` (or on no case); e-mail them after the
    commit."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    made = []
    seen: set[uuid.UUID] = set()
    for user in users:
        if user.id in seen or not user.active:
            continue
        seen.add(user.id)
        note = Notification(
            user_id=user.id,
            kind=kind,
            case_id=case.id if case is not None else None,
            case_reference=case.reference if case is not None else None,
            link=link,
            created_at=utcnow(),
        )
        db.session.add(note)
        made.append(note)
        _queue_email(user, note)
    db.session.flush()
    return made


def _queue_email(user: User, note: Notification) -> None:
    url = absolute(note.link)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        if note.case_reference is None:
            subject = _("Casework: %(what)s", what=KINDS.label(note.kind))
            body = _(
                "%(what)s.\n\nOpen Casework to see it (sign-in required):\n%(url)s\n\n"
                "This message holds no personal data on purpose. Do not reply.",
                what=KINDS.label(note.kind),
                url=url,
            )
            mailer.queue(mailer.Email(user.id, user.email, note.kind, subject, body, url))
            return
        subject = _(
            "Casework: %(what)s (%(ref)s)", what=KINDS.label(note.kind), ref=note.case_reference
        )
        body = _(
            "%(what)s: case %(ref)s.\n\nOpen Casework to see it (sign-in required):\n%(url)s\n\n"
            "This message holds no personal data on purpose. Do not reply.",
            what=KINDS.label(note.kind),
            ref=note.case_reference,
            url=url,
        )
    mailer.queue(mailer.Email(user.id, user.email, note.kind, subject, body, url))


def mark_read(user: User, notification: Notification) -> bool:
    """Mark one of the user's notifications read; False when it already was."""
    if notification.user_id != user.id:
        raise PermissionError("not the user's notification")
    if notification.read_at is not None:
        return False
    notification.read_at = utcnow()
    audit.record("notification.read", actor=user, target=notification)
    db.session.flush()
    return True


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        audit.record("notification.read_all", actor=user, detail=str(count))
    db.session.flush()
    return count


def unread_count(user: Any) -> int:
    from sqlalchemy import func

    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    query = select(func.count()).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    return int(db.session.execute(query).scalar() or 0)
