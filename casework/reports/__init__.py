"""Anonymised aggregate reports: disclosure control, the release ledger, signed releases."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from casework.reports import routes  # noqa: E402,F401
