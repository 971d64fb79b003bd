"""Support plans, service records and counselling sessions."""

from flask import Blueprint

bp = Blueprint("services", __name__, url_prefix="/services")

from casework.services import routes  # noqa: E402,F401 - registers the views
from casework.services.plans import routes as plan_routes  # noqa: E402,F401
