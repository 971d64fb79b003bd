"""What the home page needs: the signed-in user's tasks. Registered by the app factory."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from casework.main import tasks


def dashboard_tasks() -> list[tasks.Task]:
    return tasks.dashboard_tasks(current_user)


TEMPLATE_GLOBALS: dict[str, Any] = {"dashboard_tasks": dashboard_tasks}
