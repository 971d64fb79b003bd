"""Anything left behind goes back to the queue, every minute and when a worker starts:

* work whose worker died while running it (its lease ran out): queued again, or failed if its
  attempts are used up;
* queued work that is due but whose hand-over to the queue was lost (a crash between the
  commit and the enqueue, a queue that was down): handed over again.

A second hand-over is harmless: the claim lets one worker take an item.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, select

from casework.core.db import utcnow
from casework.core.extensions import db
from casework.domain import WorkEvent, WorkStatus
from casework.jobs import engine, registry
from casework.jobs.api import RUN_JOB
from casework.jobs.claims import move
from casework.jobs.models import Job

log = logging.getLogger("casework.jobs")
BATCH = 500

# Every outbox: its model and the task that delivers one of its rows. Features add theirs.
OUTBOXES: dict[type[Any], str] = {Job: RUN_JOB}


def register_outbox(model: type[Any], task: str) -> None:
    OUTBOXES[model] = task


def _max_attempts(item: Any) -> int:
    return int(getattr(item, "max_attempts", None) or current_app.config["MAIL_MAX_ATTEMPTS"])


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Recover and hand over again what is due; returns counts per kind."""
    now = now or utcnow()
    stale = now - timedelta(seconds=float(current_app.config["JOBS_REDISPATCH_SECONDS"]))
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    counts = {"recovered": 0, "failed": 0, "redispatched": 0}
    for model, task in OUTBOXES.items():
        dead = db.session.scalars(
            select(model)
            .where(model.status == WorkStatus.RUNNING, model.lease_until < now)
            .limit(BATCH)
        ).all()
        for item in dead:
            item.lease_until = None
            item.error = "WorkerLost"
            if item.attempts >= _max_attempts(item):
                move(item, WorkEvent.FAIL)
                item.finished_at = now
                counts["failed"] += 1
            else:
                move(item, WorkEvent.RECOVER)
                item.run_after = now
                item.dispatched_at = None
                counts["recovered"] += 1
        db.session.commit()
        lost = db.session.scalars(
            select(model)
            .where(
                model.status == WorkStatus.QUEUED,
                model.run_after <= now,
                or_(model.dispatched_at.is_(None), model.dispatched_at < stale),
            )
            .limit(BATCH)
        ).all()
        keys = [str(item.id) for item in lost]
        for item in lost:
            item.dispatched_at = now
        db.session.commit()
        for key in keys:
            engine.send(app, task, key)
        counts["redispatched"] += len(keys)
    if any(counts.values()):
        log.info("jobs.swept", extra=counts)
    return counts


@registry.every_minute("jobs.sweep")
def sweep_every_minute() -> None:
    sweep()
