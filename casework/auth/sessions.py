"""Server-side sessions: new id at each sign-in step, revocable, with idle and absolute limits.

The browser holds only a random session id; the data lives in Redis, with a copy in the
database that outlives a Redis outage (`casework.core.session_store`), or in a local store in
development. A user's `session_epoch` is copied into the session at sign-in: bumping it
(deactivation, password change) ends every session the user has, wherever it is.
"""

from __future__ import annotations

import time
import uuid

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from casework.auth.models import User
from casework.core.extensions import db
from casework.core.session_store import SEEN_AT
from casework.web.access import safe_next

PENDING_SECONDS = 300  # time allowed between the password and the second factor
# Requests that are not activity: they never renew the idle time (the idle warning asks how
# much is left, which another tab's activity may have renewed).
PASSIVE_ENDPOINTS = frozenset({"static", "bootstrap.static", "drafts.session_left"})


def _regenerate_id() -> None:
    current_app.session_interface.regenerate(session)  # type: ignore[attr-defined]


def begin_pending(user: User) -> None:
    """The password is right: remember who is signing in, under a new session id."""
    session.clear()
    session["pending_uid"] = str(user.id)
    session["pending_at"] = time.time()
    _regenerate_id()


def pending_user() -> User | None:
    """The user half-way through signing in, if the password step was recent."""
    uid = session.get("pending_uid")
    started = session.get("pending_at", 0)
    if not uid or time.time() - started > PENDING_SECONDS:
        return None
    user = db.session.get(User, uuid.UUID(uid))
    return user if user is not None and user.is_active else None


def complete_sign_in(user: User) -> None:
    """Both factors passed: a fully signed-in session, under another new id."""
    session.clear()
    login_user(user)
    now = time.time()
    session["epoch"] = user.session_epoch
    session["auth_at"] = now
    session[SEEN_AT] = now
    _regenerate_id()


def refresh_after_password_change(user: User) -> None:
    """Keep this session (and only this one) after the user changed their own password."""
    session["epoch"] = user.session_epoch
    _regenerate_id()


def end_session() -> None:
    """Sign out: the stored session is deleted and its id never used again (a message shown
    afterwards lives under a new id)."""
    _regenerate_id()
    logout_user()
    session.clear()


def enforce_timeouts() -> Response | None:
    """End a signed-in session idle for too long or older than the absolute limit."""
    if not session.get("_user_id"):
        return None
    now = time.time()
    idle = current_app.config["IDLE_TIMEOUT_MINUTES"] * 60
    absolute = current_app.config["ABSOLUTE_TIMEOUT_HOURS"] * 3600
    if now - session.get(SEEN_AT, 0) > idle or now - session.get("auth_at", 0) > absolute:
        end_session()
        # gettext, not lazy_gettext: the session store (msgpack on Redis) cannot encode a
        # lazy string, and the message is shown in the language of this request anyway.
        flash(_("You were signed out after a period without activity. Sign in again."), "info")
        return redirect(url_for("auth.sign_in", next=_return_path()))
    if request.endpoint not in PASSIVE_ENDPOINTS:
        session[SEEN_AT] = now
    return None


def _return_path() -> str | None:
    """Where to come back after signing in again: this page, or for a form sent after the
    timeout the page of the form (its draft is offered there, decision 0110). Only a path
    of this site, and never a query string (it may hold what was searched for)."""
    rule = request.url_rule
    if rule is None or "GET" not in (rule.methods or ()) or request.blueprint == "drafts":
        return None
    return safe_next(request.path)


def init_app(app: Flask) -> None:
    app.before_request(enforce_timeouts)
