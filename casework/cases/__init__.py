"""Cases: registering and managing victims of trafficking, on HTCDS 2.0.

One feature, one blueprint (`cases`, under /cases): the case itself (routes.py, list_routes.py)
and its sub-features, each a package with its operations, forms and routes: consents/,
attachments/, assignment/ and lifecycle/ (closure, re-opening, erasure).
"""

from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")

# The views register themselves on `bp` when imported.
from casework.cases import duplicate_routes, list_routes, routes  # noqa: E402,F401
from casework.cases.assignment import routes as assignment_routes  # noqa: E402,F401
from casework.cases.attachments import routes as attachment_routes  # noqa: E402,F401
from casework.cases.consents import routes as consent_routes  # noqa: E402,F401
from casework.cases.lifecycle import routes as lifecycle_routes  # noqa: E402,F401
