"""Referrals across agencies and borders."""

from flask import Blueprint

bp = Blueprint("referrals", __name__, url_prefix="/referrals")

from casework.referrals import routes  # noqa: E402,F401 - registers the views
