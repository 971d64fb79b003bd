"""The signed-in user's notifications: a list, open one (marks it read), mark all read."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from casework.core.extensions import db
from casework.notifications import bp, operations
from casework.notifications.models import Notification
from casework.policy import Action
from casework.web.access import deny, permission, safe_next
from casework.web.forms import ConfirmForm
from casework.web.views import paginate, signed_in_user


@bp.route("/")
@permission(Action.VIEW_NOTIFICATIONS)
def list_notifications() -> str:
    query = (
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc())
    )
    return render_template("notifications/list.html", page=paginate(query), form=ConfirmForm())


@bp.route("/<uuid:notification_id>/open", methods=["POST"])
@permission(Action.VIEW_NOTIFICATIONS)
def open_notification(notification_id: uuid.UUID) -> Response:
    note = db.session.get(Notification, notification_id)
    if note is None:
        abort(404)
    if note.user_id != current_user.id:
        deny(Action.VIEW_NOTIFICATIONS, note)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    operations.mark_read(signed_in_user(), note)
    return redirect(safe_next(note.link) or url_for("notifications.list_notifications"), 303)


@bp.route("/read-all", methods=["POST"])
@permission(Action.VIEW_NOTIFICATIONS)
def read_all() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = operations.mark_all_read(signed_in_user())
    flash(_("All notifications marked as read.") if count else _("Nothing was unread."), "info")
    return redirect(url_for("notifications.list_notifications"), 303)
