from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from sqlalchemy import text
from werkzeug.wrappers import Response

from casework.core.extensions import db
from casework.main import bp
from casework.policy import Action
from casework.web.access import permission, safe_next
from casework.web.i18n import LANGUAGE_COOKIE, offered_languages


@bp.route("/")
@permission(Action.VIEW_DASHBOARD)
def dashboard() -> str:
    return render_template("main/dashboard.html")


@bp.route("/health")
def health() -> tuple[dict[str, str], int]:
    """For the load balancer: the process answers and the database is reachable."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        return {"status": "unavailable"}, 503
    return {"status": "ok"}, 200


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
