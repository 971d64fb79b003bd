"""The admin blueprint's views, one module per subject. Every view declares its policy
action with @permission; objects are loaded, then authorised, then handed to operations."""

from __future__ import annotations

from typing import Any

from casework.admin import agency_routes, audit_routes, bp, user_routes
from casework.vocab import ORGANISATION_TYPES

__all__ = ["agency_routes", "audit_routes", "user_routes"]


@bp.context_processor
def labels() -> dict[str, Any]:
    """Display helpers for the admin templates."""
    return {"org_type_label": ORGANISATION_TYPES.label}
