"""Snooze and done on a person's own home-page tasks (decision 0116). Each is a mark on the
task's key for its owner alone (casework/main/models.py), audited with ids and codes only."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from casework import audit
from casework.core.conditional import insert_unless_present
from casework.core.db import utcnow
from casework.core.errors import OperationError
from casework.core.extensions import db
from casework.main.models import TaskMark
from casework.main.tasks import Task, find_task
from casework.policy import Action, PermissionDenied, require

SNOOZE_MAX_DAYS = 90


class TaskError(OperationError):
    """A snooze or a done refused (a day out of range)."""


def _own_task(actor: Any, key: str, today: date) -> Task:
    """The actor's task `key`: the policy first, then the task must be one of theirs (worked
    out from their scoped queries); anything else is refused like a missing record."""
    require(actor, Action.HANDLE_TASK)
    task = find_task(actor, key, today)
    if task is None:
        raise PermissionDenied(Action.HANDLE_TASK)
    return task


def _mark(actor: Any, key: str) -> TaskMark:
    """The actor's mark on `key`, made once (two clicks at once make one row)."""
    now = utcnow()
    insert_unless_present(
        db.session,
        TaskMark.__table__,  # type: ignore[arg-type]
        {
            "id": uuid.uuid4(),
            "user_id": actor.id,
            "task_key": key,
            "created_at": now,
            "updated_at": now,
        },
    )
    query = select(TaskMark).where(TaskMark.user_id == actor.id, TaskMark.task_key == key)
    return db.session.execute(query).scalar_one()


def snooze_task(actor: Any, key: str, until: date, today: date | None = None) -> TaskMark:
    """Hide the actor's task `key` from their home page until `until` (after today, at most
    SNOOZE_MAX_DAYS ahead)."""
    today = today or utcnow().date()
    task = _own_task(actor, key, today)
    if until <= today or until > today + timedelta(days=SNOOZE_MAX_DAYS):
        raise TaskError(
            _("Choose a day after today and within %(days)d days.", days=SNOOZE_MAX_DAYS),
            "until",
        )
    mark = _mark(actor, key)
    mark.snoozed_until = until
    mark.done_at = None
    audit.record("task.snoozed", actor=actor, target=mark, detail=task.kind)
    db.session.flush()
    return mark


def mark_task_done(actor: Any, key: str, today: date | None = None) -> TaskMark:
    """Take the actor's task `key` off their home page for good (a new due date or a new
    appointment is a new task)."""
    today = today or utcnow().date()
    task = _own_task(actor, key, today)
    mark = _mark(actor, key)
    mark.done_at = utcnow()
    mark.snoozed_until = None
    audit.record("task.done", actor=actor, target=mark, detail=task.kind)
    db.session.flush()
    return mark
