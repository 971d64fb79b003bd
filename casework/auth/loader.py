"""Flask-Login wiring: load the signed-in user from the server-side session."""

from __future__ import annotations

import uuid

from flask import Flask, session
from flask_login import LoginManager

from casework.auth import passwords, sessions
from casework.auth.models import User
from casework.core.extensions import db


def load_user(user_id: str) -> User | None:
    try:
        uid = uuid.UUID(user_id)
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or not user.is_active:
        return None
    if session.get("epoch") != user.session_epoch:
        return None  # ended by deactivation or a password change
    return user


def init_login(app: Flask, manager: LoginManager) -> None:
    passwords.check_parameters(app.config)
    manager.init_app(app)
    manager.session_protection = None  # server-side sessions and timeouts do this job
    manager.user_loader(load_user)
    sessions.init_app(app)
