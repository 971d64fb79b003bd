"""What every page needs of notifications: the unread count, labels. Registered by the app
factory."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from casework.notifications import operations


def unread_notifications() -> int:
    return operations.unread_count(current_user)


TEMPLATE_GLOBALS: dict[str, Any] = {
    "unread_notifications": unread_notifications,
    "notification_label": operations.KINDS.label,
}
