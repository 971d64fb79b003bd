"""The drafts endpoints the script calls (JSON), the dashboard's discard button, the keep-alive,
and the hook that discards a draft once its form was saved.

Nothing typed is logged or put in a URL: values travel in the body of a POST (CSRF header) and
come back in the body of a no-store answer; the form is named by its path.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from flask import current_app, flash, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from casework.core.extensions import db
from casework.drafts import bp, operations
from casework.drafts.forms import DRAFT_FORMS, DraftRefused, clean_values, target_of
from casework.drafts.models import FormDraft
from casework.drafts.scopes import own_drafts
from casework.policy import Action
from casework.web.access import permission, safe_next
from casework.web.dates import moment
from casework.web.loading import load_or_404
from casework.web.views import signed_in_user

INVALID = 422


@bp.route("", methods=["POST"])
@permission(Action.KEEP_FORM_DRAFT)
def save_draft() -> tuple[Response, int]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify({"error": "shape"}), INVALID
    try:
        target = target_of(str(body.get("form") or ""), str(body.get("page") or ""))
        values = clean_values(body.get("values"))
    except DraftRefused as refused:
        return jsonify({"error": str(refused)}), INVALID
    draft = operations.save_form_draft(signed_in_user(), target, values)
    return jsonify({"id": str(draft.id), "saved": moment(draft.saved_at)}), 200


@bp.route("/find", methods=["GET"])
@permission(Action.KEEP_FORM_DRAFT)
def find_draft() -> tuple[Response, int]:
    """The signed-in person's draft of the form sent to `?form=` (their own only)."""
    form_key = safe_next(request.args.get("form")) or ""
    draft = db_first(own_drafts(signed_in_user()).where(FormDraft.form_key == form_key))
    if draft is None:  # nothing kept (a refused draft looks the same: another's is never found)
        return jsonify({}), 200
    values = operations.draft_values(signed_in_user(), draft)
    return jsonify({"id": str(draft.id), "saved": moment(draft.saved_at), "values": values}), 200


@bp.route("/<uuid:draft_id>/discard", methods=["POST"])
@permission(Action.KEEP_FORM_DRAFT)
def discard_draft(draft_id: uuid.UUID) -> Response | tuple[Response, int]:
    draft = load_or_404(FormDraft, draft_id, Action.KEEP_FORM_DRAFT)
    operations.discard_form_draft(signed_in_user(), draft)
    if request.accept_mimetypes.best == "application/json":
        return jsonify({}), 200
    flash(_("The draft was discarded."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("main.dashboard"), 303)


@bp.route("/alive", methods=["POST"])
@permission(Action.VIEW_DASHBOARD)
def keep_alive() -> tuple[Response, int]:
    """Typing counts as activity: the script calls this (at most once a minute while the
    person types, or when they choose "Stay signed in"); the request itself renews the
    session's idle time (auth/sessions.py)."""
    return jsonify({"idle_seconds": int(current_app.config["IDLE_TIMEOUT_MINUTES"]) * 60}), 200


@bp.route("/alive", methods=["GET"])
@permission(Action.VIEW_DASHBOARD)
def session_left() -> tuple[Response, int]:
    """How long the session has before the idle timeout, without renewing it (a passive
    endpoint: auth/sessions.py). The idle warning asks before it shows: another tab of the
    same person may have kept the session alive."""
    idle = int(current_app.config["IDLE_TIMEOUT_MINUTES"] * 60)
    left = idle - (time.time() - float(session.get("seen_at", 0)))
    return jsonify({"seconds_left": max(0, int(left))}), 200


def db_first(query: Any) -> FormDraft | None:
    return db.session.execute(query.limit(1)).scalar_one_or_none()


@bp.after_app_request
def discard_after_save(response: Response) -> Response:
    """A form with drafts that was saved (a redirect after its POST) needs its draft no more.
    Runs before the unit of work commits (after-request hooks run in reverse order)."""
    if (
        request.method == "POST"
        and request.endpoint in DRAFT_FORMS
        and 300 <= response.status_code < 400
        and current_user.is_authenticated
        and session.get("_user_id")
    ):
        operations.discard_drafts_of_form(signed_in_user(), request.path)
    return response
