"""Administration: agencies, users, sign-in history and the audit trail. Never case contents."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from casework.admin import routes  # noqa: E402,F401
