"""A worker killed in the middle of a job: the next worker takes the job up where its last
checkpoint left it, and finishes it once (separate processes, the real queue storage: a
SQLite file beside a SQLite database, Huey's tables in PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from casework import ROOT
from casework.core.extensions import db
from casework.domain import WorkStatus
from casework.jobs.api import start_job
from casework.jobs.models import Job
from tests.conftest import build_app
from tests.jobs.slow_job import COUNT_SLOWLY

# A worker in another thread or process reads what the test wrote: needs real commits.
pytestmark = pytest.mark.committing


def wait_for(condition: Callable[[], bool], seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def start_worker(app: Flask, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.jobs.worker_main",
                app.config["INSTANCE_DIR"],
                app.config["SQLALCHEMY_DATABASE_URI"],
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _job(job_id: object) -> Job:
    db.session.rollback()
    job = db.session.get(Job, job_id)
    assert job is not None
    db.session.refresh(job)
    return job


def test_a_job_killed_mid_run_resumes_on_the_next_worker(app: Flask, tmp_path: Path) -> None:
    producer = build_app(
        app.config["INSTANCE_DIR"],
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        JOBS_MODE="worker",
    )
    with producer.app_context():
        job_id = start_job(COUNT_SLOWLY, arguments={"steps": 12, "pause": 0.3}).id
        db.session.commit()  # handed to the queue after the commit

    log = tmp_path / "workers.log"
    first = start_worker(app, log)
    second = None
    try:
        assert wait_for(lambda: _job(job_id).progress_done >= 3), log.read_text()
        first.send_signal(signal.SIGKILL)  # no clean-up, no goodbye: the job is left running
        first.wait(10)
        left = _job(job_id)
        assert left.status == WorkStatus.RUNNING
        assert 3 <= left.progress_done < 12
        checkpoint = left.progress_done
        time.sleep(2.5)  # its lease (2 s) runs out

        second = start_worker(app, log)  # recovers it at start, then runs it
        assert wait_for(lambda: _job(job_id).status == WorkStatus.SUCCEEDED), log.read_text()
    finally:
        stop(first)
        if second is not None:
            stop(second)
    done = _job(job_id)
    assert done.attempts == 2
    assert done.progress_done == done.progress_total == 12
    assert done.result is not None
    assert done.result["resumed_from"] >= checkpoint  # carried on, did not start over
    assert done.result["resumed_from"] + done.result["counted"] == 12
    assert done.error is None
