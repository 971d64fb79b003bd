"""What templates need of accounts: a staff member's name. Registered by the app factory."""

from __future__ import annotations

import uuid
from typing import Any

from casework.auth.models import User
from casework.core.extensions import db


def staff_name(user_id: uuid.UUID | None) -> str:
    """The name of a staff account (who recorded, requested, approved), or "" if none."""
    if user_id is None:
        return ""
    user = db.session.get(User, user_id)
    return user.name if user is not None else ""


TEMPLATE_GLOBALS: dict[str, Any] = {"staff_name": staff_name}
