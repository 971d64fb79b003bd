"""The durable truth of work done outside requests: jobs, and the work-item columns every
outbox shares (an e-mail to send, later a federation message to deliver).

A row is written in the same transaction as the change that causes it; the queue only carries
its id. A worker claims a row with a conditional update (`claims.claim`), so a delivery that
arrives twice acts once, and the sweeper (`sweeper.sweep`) puts back anything a lost enqueue
or a dead worker left behind.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.db import Base, UTCDateTime, UUIDPrimaryKey, utcnow
from casework.domain import WorkStatus


class WorkItem:
    """Columns of anything a worker picks up: its state, attempts and lease."""

    status: Mapped[str] = mapped_column(String(16), default=WorkStatus.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Not before this moment (a retry waits out its backoff).
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When it was last handed to the queue (the sweeper hands it again if that got lost).
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # While running: the worker's claim runs out at this moment unless it reports progress.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The class name of the last error: never its message (it may quote personal data).
    error: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Job(WorkItem, UUIDPrimaryKey, Base):
    """A long operation or a daily run, with progress its starter can follow.

    `arguments` and `result` hold ids, codes and counts only, never personal data.
    """

    __tablename__ = "jobs"

    name: Mapped[str] = mapped_column(String(60), index=True)
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    # One job per key (a daily job's name and day): a second scheduler's insert fails.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))
