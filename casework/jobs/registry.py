"""What the queue can run, declared by the features at import time (the engine reads it when
it builds the queue):

* `@task(name)`: a delivery from an outbox (plain arguments: the row's id);
* `@job(name, label=...)`: a long operation or a daily run, with a `jobs` row and progress;
* `api.daily(job_name)`: start that job once a day (`JOBS_DAILY_HOUR`, UTC);
* `@every_minute(name)`: housekeeping (the sweeper).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from casework.jobs.context import JobContext

Handler = Callable[["JobContext"], "dict[str, int] | None"]


@dataclass(frozen=True)
class TaskSpec:
    name: str
    func: Callable[..., None]


@dataclass(frozen=True)
class JobSpec:
    name: str
    handler: Handler
    label: Any  # a lazy translatable string: what the person sees on the jobs page
    max_attempts: int
    retry_seconds: float
    backoff: float
    result_labels: dict[str, Any]  # result key -> a lazy translatable label


TASKS: dict[str, TaskSpec] = {}
JOBS: dict[str, JobSpec] = {}
# Periodic work: name -> (when, function); "daily" is JOBS_DAILY_HOUR:00 UTC, "minute" is
# every minute.
PERIODIC: dict[str, tuple[str, Callable[[], None]]] = {}


def task(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def register(func: Callable[..., None]) -> Callable[..., None]:
        if name in TASKS and TASKS[name].func is not func:
            raise ValueError(f"task {name!r} is declared twice")
        TASKS[name] = TaskSpec(name, func)
        return func

    return register


def job(
    name: str,
    *,
    label: Any,
    max_attempts: int = 3,
    retry_seconds: float = 60.0,
    backoff: float = 2.0,
    result_labels: dict[str, Any] | None = None,
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if name in JOBS and JOBS[name].handler is not handler:
            raise ValueError(f"job {name!r} is declared twice")
        JOBS[name] = JobSpec(
            name, handler, label, max_attempts, retry_seconds, backoff, dict(result_labels or {})
        )
        return handler

    return register


def periodic(name: str, when: str, func: Callable[[], None]) -> None:
    if when not in ("daily", "minute"):
        raise ValueError("periodic work runs 'daily' or every 'minute'")
    PERIODIC[name] = (when, func)


def every_minute(name: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(func: Callable[[], None]) -> Callable[[], None]:
        periodic(name, "minute", func)
        return func

    return register


def backoff_seconds(first: float, factor: float, attempts: int, cap: float = 3600.0) -> float:
    """The wait before the next attempt, after `attempts` failed ones: first, first x factor,
    first x factor^2 ..., never more than `cap`."""
    return float(min(cap, first * factor ** max(0, attempts - 1)))
