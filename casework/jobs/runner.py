"""Running a job: claim its row, call its handler, record the outcome; a failed attempt goes
back to the queue after a backoff, until its attempts are used up."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from flask import current_app

from casework.core.db import utcnow
from casework.core.extensions import db
from casework.domain import WorkEvent
from casework.jobs import engine, registry
from casework.jobs.api import RUN_JOB
from casework.jobs.claims import claim, move
from casework.jobs.context import JobContext
from casework.jobs.models import Job

log = logging.getLogger("casework.jobs")


def lease_seconds() -> float:
    return float(current_app.config["JOBS_LEASE_SECONDS"])


@registry.task(RUN_JOB)
def run_job(job_id: str) -> None:
    """The queue's task for every job (idempotent: a second delivery finds it taken)."""
    key = uuid.UUID(job_id)
    won = claim(Job, key, utcnow(), lease_seconds())
    db.session.commit()
    if not won:
        return
    job = db.session.get(Job, key)
    if job is None:  # pragma: no cover - claimed a moment ago
        return
    spec = registry.JOBS.get(job.name)
    if spec is None:
        _fail(job, "UnknownJob")
        return
    log.info("jobs.started", extra={"job_id": job_id, "job": job.name, "attempt": job.attempts})
    try:
        result = spec.handler(JobContext(job, lease_seconds()))
    except Exception as error:
        db.session.rollback()
        _after_failure(key, spec, type(error).__name__)
        return
    job.result = dict(result) if result else None
    if job.progress_total is not None:
        job.progress_done = max(job.progress_done, job.progress_total)
    move(job, WorkEvent.SUCCEED)
    job.finished_at = utcnow()
    job.lease_until = None
    job.error = None
    db.session.commit()
    log.info("jobs.succeeded", extra={"job_id": job_id, "job": spec.name})


def _after_failure(key: uuid.UUID, spec: registry.JobSpec, error: str) -> None:
    job = db.session.get(Job, key)
    if job is None:  # pragma: no cover
        return
    job.error = error
    job.lease_until = None
    if job.attempts >= job.max_attempts:
        _fail(job, error)
        return
    delay = registry.backoff_seconds(spec.retry_seconds, spec.backoff, job.attempts)
    move(job, WorkEvent.RETRY)
    now = utcnow()
    job.run_after = job.dispatched_at = now + timedelta(seconds=delay)
    db.session.commit()
    log.warning(
        "jobs.attempt_failed",
        extra={"job_id": str(key), "job": spec.name, "error": error, "retry_in": delay},
    )
    engine.send(current_app._get_current_object(), RUN_JOB, str(key), delay=delay)  # type: ignore[attr-defined]


def _fail(job: Job, error: str) -> None:
    move(job, WorkEvent.FAIL)
    job.error = error
    job.finished_at = utcnow()
    job.lease_until = None
    db.session.commit()
    log.error("jobs.failed", extra={"job_id": str(job.id), "job": job.name, "error": error})
