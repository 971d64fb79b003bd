"""The queue engine (Huey, decision 0150), built from the settings on first use.

JOBS_MODE:
* "eager" (tests): a task runs in the calling thread as soon as it is handed over (Huey's
  immediate mode, in memory); a delayed one waits in memory until `run_scheduled()`.
* "in-process" (development, `make run`): worker and scheduler threads inside the web
  process, started by its first request; nothing to run beside it.
* "worker" (production): the web processes only hand work over; `flask worker` runs it.

JOBS_BROKER_URL says where queued messages wait: empty means beside the database (SQLite: a
file `jobs.sqlite3` in the instance folder; PostgreSQL: Huey's `huey_*` tables in the same
database, woken by LISTEN/NOTIFY); `redis://...` uses Redis lists; "memory" keeps them in
the process. Messages are JSON holding a task name and row ids (`serializer.py`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask
from huey import Huey, MemoryHuey, PostgresHuey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy.engine import make_url

from casework.jobs import registry
from casework.jobs.serializer import JsonSerializer

log = logging.getLogger("casework.jobs")
EXTENSION = "casework_jobs"
QUEUE_NAME = "casework"
MODES = ("eager", "in-process", "worker")


@dataclass
class EngineState:
    huey: Huey | None = None
    tasks: dict[str, Any] = field(default_factory=dict)
    consumer: Consumer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def state(app: Flask) -> EngineState:
    return app.extensions[EXTENSION]  # type: ignore[no-any-return]


def broker_url(app: Flask) -> str:
    """Where queued messages wait (see the module's docstring)."""
    configured = str(app.config.get("JOBS_BROKER_URL") or "")
    if configured:
        return configured
    database = make_url(str(app.config["SQLALCHEMY_DATABASE_URI"]))
    if database.get_backend_name() == "postgresql":
        return database.set(drivername="postgresql").render_as_string(hide_password=False)
    return f"sqlite:///{Path(app.config['INSTANCE_DIR']) / 'jobs.sqlite3'}"


def _new_huey(app: Flask) -> Huey:
    options: dict[str, Any] = {"results": False, "utc": True, "serializer": JsonSerializer()}
    if app.config["JOBS_MODE"] == "eager":
        return MemoryHuey(QUEUE_NAME, immediate=True, **options)
    url = broker_url(app)
    if url == "memory":
        return MemoryHuey(QUEUE_NAME, **options)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(QUEUE_NAME, url=url, **options)
    if url.startswith("postgresql://"):
        return PostgresHuey(QUEUE_NAME, dsn=url, **options)
    if url.startswith("sqlite:///"):
        return SqliteHuey(QUEUE_NAME, filename=url.removeprefix("sqlite:///"), **options)
    raise ValueError("JOBS_BROKER_URL must be redis://, postgresql://, sqlite:/// or memory")


def _in_app(app: Flask, func: Any, name: str) -> Any:
    """`func` run inside its own app context (its own database session), whatever thread."""

    def run(*args: Any) -> None:
        with app.app_context():
            func(*args)

    run.__name__ = run.__qualname__ = name.replace(".", "_")
    run.__module__ = "casework.jobs.tasks"
    return run


def huey_of(app: Flask) -> Huey:
    """The app's queue, built (with every declared task) on first use."""
    current = state(app)
    if current.huey is not None:
        return current.huey
    with current.lock:
        if current.huey is None:
            huey = _new_huey(app)
            tasks = {
                spec.name: huey.task(name=spec.name)(_in_app(app, spec.func, spec.name))
                for spec in registry.TASKS.values()
            }
            hour = str(int(app.config["JOBS_DAILY_HOUR"]))
            for name, (when, func) in registry.PERIODIC.items():
                schedule = crontab(minute="0", hour=hour) if when == "daily" else crontab()
                huey.periodic_task(schedule, name=name)(_in_app(app, func, name))
            current.tasks = tasks
            current.huey = huey
    return current.huey


def send(app: Flask, name: str, *args: Any, delay: float | None = None) -> None:
    """Hand task `name` to the queue now (or after `delay` seconds)."""
    huey = huey_of(app)
    wrapper = state(app).tasks[name]
    if delay:
        wrapper.schedule(args=args, delay=delay)
    else:
        huey.enqueue(wrapper.s(*args))


def run_scheduled(app: Flask) -> int:
    """Eager mode (tests): run every delayed task now, as if its delay had passed (a test
    that wants the row's backoff to have passed too moves the row's `run_after`). Returns
    how many ran."""
    huey = huey_of(app)
    tasks = huey.read_schedule(datetime.max)  # noqa: DTZ901 - Huey keeps naive UTC times
    for task in tasks:
        task.eta = None
        huey.execute(task)
    return len(tasks)


class _QuietConsumer(Consumer):
    """Huey's consumer inside a web process: it must not take over the process's signals."""

    def _set_signal_handlers(self) -> None:
        return None


def start_in_process(app: Flask) -> None:
    """Development: worker and scheduler threads in this process (once)."""
    current = state(app)
    if current.consumer is not None:
        return
    huey = huey_of(app)
    with current.lock:
        if current.consumer is not None:
            return
        consumer = _QuietConsumer(
            huey,
            workers=int(app.config["JOBS_WORKER_THREADS"]),
            worker_type="thread",
            periodic=True,
            check_worker_health=False,
        )
        consumer.start()
        current.consumer = consumer
    log.info("jobs.in_process_worker_started")


def stop_in_process(app: Flask) -> None:
    current = state(app)
    with current.lock:
        consumer, current.consumer = current.consumer, None
    if consumer is not None:
        consumer.stop(graceful=True)


def new_consumer(app: Flask, threads: int, periodic: bool) -> Consumer:
    """The production worker's consumer (`flask worker`), which handles SIGTERM/SIGINT."""
    return huey_of(app).create_consumer(
        workers=threads, worker_type="thread", periodic=periodic, check_worker_health=True
    )


def init_app(app: Flask) -> None:
    if app.config["JOBS_MODE"] not in MODES:
        raise ValueError(f"JOBS_MODE must be one of {MODES}")
    app.extensions[EXTENSION] = EngineState()
    if app.config["JOBS_MODE"] == "in-process":
        app.before_request(lambda: start_in_process(app))
