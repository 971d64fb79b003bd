"""A case's records and life: consents, attachments, assignment, closure and erasure.

Pages live under /cases/<id>/...; the case page (blueprint `cases`) includes the partials
templates/cases/_consents.html, _attachments.html, _assignment.html and _closure.html.
"""

from flask import Blueprint

bp = Blueprint("case_records", __name__, url_prefix="/cases")

from casework.case_records import (  # noqa: E402,F401
    attachment_routes,
    erasure_routes,
    routes,
    template_globals,
)
