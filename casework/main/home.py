"""What the home page shows the signed-in person, queue by queue (decision 0116). Every list
comes from a scoped query (tasks.py, queues.py); the tasks are paged, the other queues show
their first rows and link to their full, paged list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, select

from casework.core.extensions import db
from casework.main import queues
from casework.main.tasks import (
    Appointment,
    Task,
    about,
    dashboard_tasks,
    upcoming_appointments,
)

SHOWN = 10  # rows of a queue on the home page; its own page has them all, paged


@dataclass(frozen=True)
class Queue:
    rows: list[Any]
    total: int

    @property
    def more(self) -> bool:
        return self.total > len(self.rows)


@dataclass(frozen=True)
class TaskPage:
    items: list[Task]
    page: int
    pages: int
    total: int


@dataclass
class Home:
    tasks: TaskPage
    today: list[Appointment] = field(default_factory=list)
    this_week: list[Appointment] = field(default_factory=list)
    incoming: Queue = Queue([], 0)
    closures: Queue = Queue([], 0)
    unassigned: Queue = Queue([], 0)
    caseloads: list[queues.Caseload] = field(default_factory=list)


def _queue(query: Select[Any], user: Any, shown: int = SHOWN) -> Queue:
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = list(db.session.execute(query.limit(shown)).scalars())
    return Queue([(row, about(user, _case_of(row))) for row in rows], int(total or 0))


def _case_of(row: Any) -> Any:
    return getattr(row, "case", row)


def page_of(items: list[Task], page: int) -> TaskPage:
    size = int(current_app.config["PAGE_SIZE"])
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 1), pages)
    return TaskPage(items[(page - 1) * size : page * size], page, pages, len(items))


def home_page(user: Any, today: date, page: int = 1) -> Home:
    appointments = upcoming_appointments(user, today, days=7)
    return Home(
        tasks=page_of(dashboard_tasks(user, today), page),
        today=[a for a in appointments if a.on == today],
        this_week=[a for a in appointments if today < a.on < today + timedelta(days=7)],
        incoming=_queue(queues.incoming_referrals(user), user),
        closures=_queue(queues.closure_requests(user), user),
        unassigned=_queue(queues.unassigned_cases(user), user),
        caseloads=queues.caseloads(user),
    )
