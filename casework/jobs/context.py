"""What a job's handler gets: its arguments, who started it, and progress to report."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from casework.core.db import utcnow
from casework.core.extensions import db
from casework.jobs.models import Job


class JobContext:
    """Progress is written on the job's row in the handler's own transaction: it becomes
    visible (and the worker's lease is extended) at each `checkpoint()`, which commits. A
    handler commits only at checkpoints, so whatever it did up to one is kept if it is stopped,
    and the next attempt carries on from there: handlers skip what is already done."""

    def __init__(self, job: Job, lease_seconds: float) -> None:
        self.job = job
        self.lease_seconds = lease_seconds

    @property
    def id(self) -> uuid.UUID:
        return self.job.id

    @property
    def arguments(self) -> dict[str, Any]:
        return dict(self.job.arguments or {})

    @property
    def started_by_id(self) -> uuid.UUID | None:
        return self.job.started_by_id

    @property
    def done(self) -> int:
        """Steps done so far, over every attempt (where a resumed attempt carries on)."""
        return self.job.progress_done

    def set_remaining(self, remaining: int) -> None:
        """How many steps are left (the total is what is done plus this)."""
        self.job.progress_total = self.job.progress_done + max(0, remaining)

    def advance(self, steps: int = 1) -> None:
        self.job.progress_done += steps

    def checkpoint(self) -> None:
        """Commit what was done, show the progress, and keep the claim on the job."""
        self.job.lease_until = utcnow() + timedelta(seconds=self.lease_seconds)
        db.session.commit()
