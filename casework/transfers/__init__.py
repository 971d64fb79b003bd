"""Transfers of a case's lead agency (decision 0091)."""

from flask import Blueprint

bp = Blueprint("transfers", __name__, url_prefix="/transfers")

from casework.transfers import routes  # noqa: E402,F401 - registers the views
