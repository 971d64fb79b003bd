from __future__ import annotations

import logging

from flask import current_app, redirect, render_template, request, url_for
from sqlalchemy import text
from werkzeug.wrappers import Response

from casework.core.extensions import db
from casework.encryption import keys
from casework.main import bp
from casework.policy import Action
from casework.web.access import permission, safe_next
from casework.web.i18n import LANGUAGE_COOKIE, offered_languages

log = logging.getLogger("casework.health")


@bp.route("/")
@permission(Action.VIEW_DASHBOARD)
def dashboard() -> str:
    return render_template("main/dashboard.html")


@bp.route("/health")
def health() -> tuple[dict[str, str], int]:
    """For the load balancer and the operator: the database is reachable, and the key file
    opens the data stored in it (a broken or wrong key file makes every case page fail, so
    the instance is not healthy). Says which, never why (the log says why)."""
    checks = {"database": "ok", "keyring": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        checks["database"] = "unavailable"
    else:
        try:
            problems = keys.keyring_problems()
        except Exception:
            log.exception("health: the keyring check failed")
            problems = ["the keyring check failed"]
        if problems:
            checks["keyring"] = "unusable"
            log.error("health: keyring unusable", extra={"detail": "; ".join(problems)})
    healthy = all(value == "ok" for value in checks.values())
    return {"status": "ok" if healthy else "unavailable", **checks}, 200 if healthy else 503


@bp.route("/language", methods=["POST"])
def set_language() -> Response:
    """Remember the reader's language in a cookie (CSRF-checked like every form)."""
    chosen = request.form.get("language", "")
    target = safe_next(request.form.get("next")) or url_for("main.dashboard")
    response = redirect(target)
    if chosen in offered_languages():
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            samesite="Lax",
        )
    return response
