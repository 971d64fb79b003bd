"""The signed-in home page, the language choice and the health check."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from casework.main import routes  # noqa: E402,F401
