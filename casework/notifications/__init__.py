"""In-app notifications (and e-mail when SMTP is configured): references and links only."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

from casework.notifications import routes  # noqa: E402,F401 - registers the views
