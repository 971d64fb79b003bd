"""Linked cases (issue 14, decision 0114): a typed link between two cases (siblings, people
from the same vessel or compound, the same recruiter) with an encrypted note. Seen by whoever
may open both cases; made and removed by whoever may edit both. URLs under /cases."""

from flask import Blueprint

bp = Blueprint("links", __name__, url_prefix="/cases")

from casework.links import routes  # noqa: E402,F401 - registers the views
