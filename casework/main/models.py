"""A person's marks on their own home-page tasks: snoozed until a day, or done.

Tasks themselves are not stored: they are worked out from the records (casework/main/tasks.py)
each time the home page is shown. A mark names a task by its key (its kind and the ids it is
about) and hides it from its owner alone: until the day it was snoozed to, or for good once
done. A task whose key changes (a new due date, a new appointment) is a new task."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.db import Base, Timestamps, UTCDateTime, UUIDPrimaryKey


class TaskMark(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "task_marks"
    __table_args__ = (UniqueConstraint("user_id", "task_key", name="uq_task_marks_user_key"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))  # the unique key leads
    task_key: Mapped[str] = mapped_column(String(160))  # kind and ids only, never words
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
