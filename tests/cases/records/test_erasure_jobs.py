"""Erasure of due cases as a job: a supervisor's "erase every case due" (their agency's only,
confirmed by typing the count, progress on the job's page), and the daily run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.cases.lifecycle.jobs import ERASE_DUE
from casework.cases.models import Case
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.domain import WorkStatus
from casework.jobs.api import start_daily_job
from casework.jobs.models import Job
from casework.policy import Role
from tests import factories
from tests.cases.records.conftest import World, post_form

CANARY = "Canary Erasejob"


def _closed(agency: object, years_ago: float) -> Case:
    case = factories.make_case(agency, full_name=CANARY)  # type: ignore[arg-type]
    case.status, case.closure_reason = "Closed", "goals_met"
    case.closed_at = utcnow() - timedelta(days=365.25 * years_ago)
    return case


def test_a_supervisor_erases_every_due_case_of_their_agency_as_a_job(
    world: World, app: Flask, monkeypatch: pytest.MonkeyPatch, login_as
) -> None:
    monkeypatch.setitem(app.config, "RETENTION_YEARS", 5)
    due = [_closed(world.home, 6), _closed(world.home, 9)]
    recent = _closed(world.home, 1)
    elsewhere = _closed(world.other, 9)
    db.session.commit()
    client = world.as_supervisor()
    page = client.get("/cases/erasure-due/erase-all").get_data(as_text=True)
    assert "2 closed cases of your agency are past their retention period." in page

    wrong = post_form(client, "/cases/erasure-due/erase-all", {"confirmation": "3"})
    assert wrong.status_code == 422
    assert "That is not the number of cases due (2)." in wrong.get_data(as_text=True)
    assert db.session.scalars(select(Job)).all() == []

    started = post_form(client, "/cases/erasure-due/erase-all", {"confirmation": "2"})
    assert started.status_code == 303
    [job] = db.session.scalars(select(Job)).all()
    assert started.headers["Location"] == f"/jobs/{job.id}"
    assert job.started_by_id == world.supervisor.id
    assert job.status == WorkStatus.SUCCEEDED  # tests run jobs at once, after the commit
    assert (job.progress_done, job.progress_total, job.result) == (2, 2, {"erased": 2})
    db.session.expire_all()
    assert all(db.session.get(Case, case.id).is_erased for case in due)
    assert not db.session.get(Case, recent.id).is_erased
    assert not db.session.get(Case, elsewhere.id).is_erased  # another agency's: not theirs
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.erased")).all()
    assert {e.actor_id for e in events} == {world.supervisor.id}

    view = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Erase your agency&#39;s cases past their retention period" in view
    assert "Finished" in view
    assert "Cases erased" in view
    assert CANARY not in view
    assert client.get(f"/jobs/{job.id}/progress").get_json() == {
        "status": "succeeded",
        "done": 2,
        "total": 2,
        "percent": 100,
    }
    assert f"/jobs/{job.id}" in client.get("/jobs/").get_data(as_text=True)
    # Nobody else sees it: the same 404 as a job that does not exist.
    other, _ = login_as(Role.SUPERVISOR, agency=world.home)
    assert other.get(f"/jobs/{job.id}").status_code == 404
    assert other.get(f"/jobs/{job.id}/progress").status_code == 404
    assert world.as_caseworker().get("/cases/erasure-due/erase-all").status_code == 404


def test_the_daily_run_erases_every_due_case_once_a_day(
    world: World, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "RETENTION_YEARS", 5)
    home, other = _closed(world.home, 8), _closed(world.other, 8)
    db.session.commit()
    job = start_daily_job(ERASE_DUE)
    assert job is not None
    assert start_daily_job(ERASE_DUE) is None  # a second scheduler the same day: nothing
    db.session.expire_all()
    assert db.session.get(Case, home.id).is_erased
    assert db.session.get(Case, other.id).is_erased
    [run] = db.session.scalars(select(Job)).all()
    assert (run.status, run.result, run.started_by_id) == ("succeeded", {"erased": 2}, None)
    assert run.dedupe_key == f"{ERASE_DUE}:{utcnow().date().isoformat()}"
