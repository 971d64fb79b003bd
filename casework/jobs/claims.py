"""Taking a work item: one conditional UPDATE, so of two workers handed the same id only one
wins (the queue may deliver twice; the row decides).

    UPDATE <table> SET status = 'running', attempts = attempts + 1, lease_until = :lease
    WHERE id = :id AND status = 'queued' AND run_after <= :now

(The `custody` helper for conditional state changes, once on main, is the general form of
this; work items keep this one because they also count attempts and set a lease.)
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update

from casework.core.extensions import db
from casework.domain import WORK_TRANSITIONS, WorkEvent, WorkStatus


def claim(model: type[Any], item_id: uuid.UUID, now: datetime, lease_seconds: float) -> bool:
    """Take the queued, due item `item_id` for `lease_seconds`; False if another worker has it,
    it is finished, or it is not due yet. The caller commits."""
    running = WORK_TRANSITIONS.transition(WorkStatus.QUEUED, WorkEvent.CLAIM)
    values: dict[str, Any] = {
        "status": running,
        "attempts": model.attempts + 1,
        "lease_until": now + timedelta(seconds=lease_seconds),
    }
    if hasattr(model, "started_at"):
        values["started_at"] = now
    result = db.session.execute(
        update(model)
        .where(
            model.id == item_id,
            model.status == WorkStatus.QUEUED,
            model.run_after <= now,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def move(item: Any, event: WorkEvent) -> None:
    """Change a work item's status through the transitions table (IllegalTransition if not)."""
    item.status = WORK_TRANSITIONS.transition(item.status, event)
