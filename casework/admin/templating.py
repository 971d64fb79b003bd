"""What the admin templates need: organisation type labels. Registered by the app factory."""

from __future__ import annotations

from typing import Any

from casework.vocab import ORGANISATION_TYPES

TEMPLATE_GLOBALS: dict[str, Any] = {"org_type_label": ORGANISATION_TYPES.label}
