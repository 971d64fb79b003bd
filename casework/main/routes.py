from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import text
from werkzeug.wrappers import Response

from casework.core.extensions import db
from casework.encryption import keys
from casework.main import bp, operations
from casework.main.forms import SnoozeForm, TaskForm
from casework.main.home import home_page
from casework.policy import Action
from casework.web.access import permission, safe_next
from casework.web.dates import day, local_today
from casework.web.i18n import LANGUAGE_COOKIE, offered_languages
from casework.web.views import signed_in_user

log = logging.getLogger("casework.health")


@bp.route("/")
@permission(Action.VIEW_DASHBOARD)
def dashboard() -> str:
    today = local_today()
    page = request.args.get("page", 1, type=int) or 1
    return render_template(
        "main/dashboard.html",
        home=home_page(signed_in_user(), today, page),
        snooze_default=(today + timedelta(days=7)).isoformat(),
        snooze_min=(today + timedelta(days=1)).isoformat(),
        snooze_max=(today + timedelta(days=operations.SNOOZE_MAX_DAYS)).isoformat(),
    )


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


@bp.route("/tasks/snooze", methods=["POST"])
@permission(Action.HANDLE_TASK)
def snooze_task() -> Response:
    form = SnoozeForm()
    if not form.validate():
        flash(_("Choose the day until which to snooze the task."), "danger")
        return redirect(url_for("main.dashboard", _anchor="tasks-heading"))
    try:
        mark = operations.snooze_task(
            signed_in_user(), form.key.data, form.until.data, today=local_today()
        )
    except operations.TaskError as error:
        flash(str(error), "danger")
    else:
        flash(_("Task snoozed until %(day)s.", day=day(mark.snoozed_until)), "success")
    return redirect(url_for("main.dashboard", _anchor="tasks-heading"))


@bp.route("/tasks/done", methods=["POST"])
@permission(Action.HANDLE_TASK)
def task_done() -> Response:
    form = TaskForm()
    if form.validate():
        operations.mark_task_done(signed_in_user(), form.key.data, today=local_today())
        flash(_("Task marked done."), "success")
    return redirect(url_for("main.dashboard", _anchor="tasks-heading"))
