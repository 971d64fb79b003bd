"""Sign-in, second factor, password changes and sign-out."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from casework.auth import routes  # noqa: E402,F401
