"""Cases: registering and managing victims of trafficking, on HTCDS 2.0."""

from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")

from casework.cases import list_routes, routes  # noqa: E402,F401
from casework.cases.presenting import (  # noqa: E402
    changed_fields,
    code_label,
    codes_label,
    timeline_label,
)

bp.add_app_template_global(code_label, "code_label")
bp.add_app_template_global(codes_label, "codes_label")
bp.add_app_template_global(timeline_label, "timeline_label")
bp.add_app_template_global(changed_fields, "changed_fields")
