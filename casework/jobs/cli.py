"""`flask worker` (the production worker process) and `flask jobs ...` (look, start, sweep)."""

from __future__ import annotations

import click
from flask import current_app
from sqlalchemy import func, select

from casework.core.extensions import db
from casework.jobs import engine, registry
from casework.jobs.api import start_job
from casework.jobs.models import Job
from casework.jobs.sweeper import sweep


@click.command("worker")
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker threads (default JOBS_WORKER_THREADS).",
)
@click.option(
    "--schedule/--no-schedule",
    default=True,
    help="Also start the daily and every-minute jobs (safe on several workers: a day's run "
    "is started once).",
)
def worker(threads: int | None, schedule: bool) -> None:
    """Run queued jobs and deliveries until stopped (SIGTERM or Ctrl+C finish the running
    ones first). Run one or more beside the web processes in production."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["JOBS_MODE"] == "eager":
        raise click.ClickException("JOBS_MODE is 'eager' (tests): nothing waits in a queue.")
    counts = sweep()
    click.echo(
        f"Recovered {counts['recovered']} item(s) left running by a stopped worker; "
        f"handed over {counts['redispatched']} waiting one(s)."
    )
    consumer = engine.new_consumer(
        app, threads or int(app.config["JOBS_WORKER_THREADS"]), periodic=schedule
    )
    consumer.run()


jobs_group = click.Group("jobs", help="Work done outside requests: list, start, sweep.")


@jobs_group.command("list")
def list_jobs() -> None:
    """Jobs by name and status (counts), and what can be started."""
    rows = db.session.execute(
        select(Job.name, Job.status, func.count()).group_by(Job.name, Job.status)
    ).all()
    for name, status, count in sorted(rows):
        click.echo(f"{name:<28} {status:<10} {count:>8}")
    click.echo("Jobs: " + ", ".join(sorted(registry.JOBS)))
    click.echo("Periodic: " + ", ".join(f"{n} ({w})" for n, (w, _) in registry.PERIODIC.items()))


@jobs_group.command("start")
@click.argument("name")
def start(name: str) -> None:
    """Queue job NAME now (the worker runs it)."""
    if name not in registry.JOBS:
        raise click.ClickException(f"No job {name}; `flask jobs list` names them.")
    job = start_job(name)
    db.session.commit()
    click.echo(f"Job {job.id} queued.")


@jobs_group.command("sweep")
def sweep_now() -> None:
    """Recover work left by stopped workers and hand over what waits (the worker does this
    every minute)."""
    counts = sweep()
    click.echo(", ".join(f"{key}: {value}" for key, value in counts.items()))
