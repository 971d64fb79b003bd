"""The jobs API the features use.

* `enqueue_after_commit(task, *ids)`: hand a delivery to the queue once the current
  transaction commits (nothing if it rolls back). The outbox row it delivers is written in
  that same transaction, so the sweeper finds it even if this hand-over is lost.
* `start_job(name, arguments=..., started_by=user)`: a `jobs` row now, run after the commit;
  its starter follows it on the jobs page.
* `start_daily_job(name)`: today's run of a daily job, once however many schedulers ask.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.core.db import utcnow
from casework.core.extensions import db
from casework.domain import WorkEvent
from casework.jobs import engine, registry
from casework.jobs.claims import move
from casework.jobs.models import Job

log = logging.getLogger("casework.jobs")
AFTER_COMMIT = "casework_jobs_after_commit"
RUN_JOB = "jobs.run"


def enqueue_after_commit(task: str, *args: Any) -> None:
    """Hand `task(*args)` to the queue after the current transaction commits. Arguments are
    plain values (ids as text, codes, numbers)."""
    if task not in registry.TASKS:
        raise KeyError(f"no task {task!r} is declared")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    db.session.info.setdefault(AFTER_COMMIT, []).append((app, task, args))


def start_job(
    name: str,
    *,
    arguments: dict[str, Any] | None = None,
    started_by: Any = None,
    dedupe_key: str | None = None,
) -> Job:
    """Queue job `name` (declared with `@job`); it runs after the commit. The caller commits
    (in a request, the unit of work does)."""
    spec = registry.JOBS[name]
    job = Job(
        name=name,
        arguments=dict(arguments or {}),
        started_by_id=getattr(started_by, "id", None),
        dedupe_key=dedupe_key,
        max_attempts=spec.max_attempts,
        created_at=utcnow(),
        run_after=utcnow(),
        dispatched_at=utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    enqueue_after_commit(RUN_JOB, str(job.id))
    return job


def start_daily_job(name: str, day: date | None = None) -> Job | None:
    """Today's (or `day`'s) run of daily job `name`, committed; None when another scheduler
    already started it (the dedupe key is unique)."""
    day = day or utcnow().date()
    try:
        job = start_job(name, dedupe_key=f"{name}:{day.isoformat()}")
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return job


def daily(name: str) -> None:
    """Run job `name` every day at JOBS_DAILY_HOUR (UTC), once however many workers run."""
    if name not in registry.JOBS:
        raise KeyError(f"no job {name!r} is declared")
    registry.periodic(f"daily.{name}", "daily", lambda: _start_daily_quietly(name))


def _start_daily_quietly(name: str) -> None:
    start_daily_job(name)


def restart_job(job: Job) -> None:
    """Queue a failed job again (its handler skips what earlier attempts did)."""
    move(job, WorkEvent.RESTART)
    job.attempts = 0
    job.error = None
    job.finished_at = None
    job.run_after = job.dispatched_at = utcnow()
    db.session.flush()
    enqueue_after_commit(RUN_JOB, str(job.id))


def jobs_of(user_id: uuid.UUID) -> Any:
    """The jobs a person started, newest first (a query to paginate)."""
    return select(Job).where(Job.started_by_id == user_id).order_by(Job.created_at.desc())


def _dispatch(session: Session) -> None:
    queued: list[tuple[Flask, str, tuple[Any, ...]]] = session.info.pop(AFTER_COMMIT, [])
    for app, task, args in queued:
        try:
            engine.send(app, task, *args)
        except Exception as error:  # the row stays; the sweeper hands it over later
            log.warning("jobs.enqueue_failed", extra={"task": task, "error": type(error).__name__})


def _forget(session: Session) -> None:
    session.info.pop(AFTER_COMMIT, None)


def init_dispatch() -> None:
    if not event.contains(Session, "after_commit", _dispatch):
        event.listen(Session, "after_commit", _dispatch)
        event.listen(Session, "after_rollback", _forget)
