"""The admin blueprint's views, one module per subject. Every view declares its policy
action with @permission; objects are loaded, then authorised, then handed to operations."""

from __future__ import annotations

from casework.admin import agency_routes, audit_routes, user_routes

__all__ = ["agency_routes", "audit_routes", "user_routes"]
