"""The queue's guarantees, in eager mode (tasks run at once after the commit; delayed ones
wait until `run_scheduled`): idempotent delivery, retries with backoff, the sweeper, messages
as JSON, the referral expiry job, the worker command."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from casework.core.db import utcnow
from casework.core.extensions import db
from casework.domain import WorkStatus
from casework.jobs import engine, registry
from casework.jobs.api import start_job
from casework.jobs.models import Job
from casework.jobs.serializer import JsonSerializer
from casework.jobs.sweeper import sweep
from casework.notifications import mailer
from casework.notifications.delivery import deliver_email
from casework.notifications.models import OutboundEmail
from casework.policy import Role
from tests import factories

FAILING = "tests.always_fails"


@registry.job(FAILING, label="Always fails (tests)", max_attempts=3, retry_seconds=10)
def always_fails(ctx: Any) -> None:
    raise RuntimeError("Canary Person's name must never reach the log or the row")


def _time_passes(row: Any) -> None:
    """The backoff is over: the row is due (the queue's delayed task runs with run_scheduled)."""
    row.run_after = utcnow()
    db.session.commit()


def _sent(app: Flask) -> list[mailer.Email]:
    return list(app.extensions.get(mailer.MEMORY_OUTBOX, []))


def _queue_email(user: Any) -> OutboundEmail:
    mailer.queue(mailer.Email(user.id, user.email, "case_assigned", "Subject", "Body", "/x"))
    db.session.flush()
    return db.session.scalars(
        select(OutboundEmail).order_by(OutboundEmail.created_at.desc())
    ).first()  # type: ignore[return-value]


def test_a_delivery_handed_over_twice_sends_once(app: Flask) -> None:
    user = factories.make_user(Role.CASEWORKER).user
    before = len(_sent(app))
    email = _queue_email(user)
    db.session.commit()  # delivered here (eager)
    deliver_email(str(email.id))  # the queue delivers the same id again
    deliver_email(str(email.id))
    assert len(_sent(app)) == before + 1
    db.session.refresh(email)
    assert (email.status, email.attempts) == (WorkStatus.SUCCEEDED, 1)


def test_nothing_is_queued_or_sent_when_the_action_rolls_back(app: Flask) -> None:
    user = factories.make_user(Role.CASEWORKER).user
    db.session.commit()
    before = len(_sent(app))
    _queue_email(user)
    db.session.rollback()
    db.session.commit()
    assert len(_sent(app)) == before
    assert db.session.scalars(select(OutboundEmail)).all() == []


def test_a_refused_email_is_retried_with_backoff_then_given_up(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1"}.items():
        monkeypatch.setitem(app.config, key, value)
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    user = factories.make_user(Role.CASEWORKER).user
    email = _queue_email(user)
    db.session.commit()
    db.session.refresh(email)
    assert (email.status, email.attempts, email.error) == ("queued", 1, "SMTPServerDisconnected")
    waits = [email.run_after - utcnow()]
    _time_passes(email)
    assert engine.run_scheduled(app) == 1  # the queue brings it back after its delay
    db.session.refresh(email)
    waits.append(email.run_after - utcnow())
    assert email.attempts == 2
    assert timedelta(seconds=25) < waits[0] <= timedelta(seconds=30)  # MAIL_RETRY_SECONDS
    assert timedelta(seconds=55) < waits[1] <= timedelta(seconds=60)  # doubled
    _time_passes(email)
    engine.run_scheduled(app)
    db.session.refresh(email)
    assert (email.status, email.attempts) == ("failed", 3)
    assert engine.run_scheduled(app) == 0  # given up: nothing more is scheduled


def test_a_permanent_refusal_is_not_retried(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"no such user")})

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    email = _queue_email(factories.make_user(Role.CASEWORKER).user)
    db.session.commit()
    db.session.refresh(email)
    assert (email.status, email.attempts, email.error) == ("failed", 1, "SMTPRecipientsRefused")


def test_a_deactivated_recipient_gets_nothing(app: Flask) -> None:
    user = factories.make_user(Role.CASEWORKER, active=False).user
    before = len(_sent(app))
    email = _queue_email(user)
    db.session.commit()
    db.session.refresh(email)
    assert (email.status, email.error) == ("failed", "RecipientInactive")
    assert len(_sent(app)) == before


def test_the_sweeper_recovers_work_left_by_a_dead_worker_and_lost_hand_overs(
    app: Flask,
) -> None:
    user = factories.make_user(Role.CASEWORKER).user
    now = utcnow()
    stranded = OutboundEmail(
        user_id=user.id, kind="case_assigned", subject="s", body="b", link="/x",
        status="running", attempts=1, lease_until=now - timedelta(seconds=1),
        run_after=now - timedelta(minutes=5), created_at=now,
    )  # fmt: skip
    lost = OutboundEmail(
        user_id=user.id, kind="case_assigned", subject="s", body="b", link="/y",
        status="queued", run_after=now - timedelta(minutes=10),
        dispatched_at=now - timedelta(minutes=10), created_at=now,
    )  # fmt: skip
    waiting = OutboundEmail(
        user_id=user.id, kind="case_assigned", subject="s", body="b", link="/z",
        status="queued", run_after=now + timedelta(minutes=10), dispatched_at=now, created_at=now,
    )  # fmt: skip
    exhausted = Job(
        name=FAILING, status="running", attempts=3, max_attempts=3,
        lease_until=now - timedelta(seconds=1), created_at=now,
    )  # fmt: skip
    db.session.add_all([stranded, lost, waiting, exhausted])
    db.session.commit()
    before = len(_sent(app))
    counts = sweep()
    assert counts == {"recovered": 1, "failed": 1, "redispatched": 2}
    assert {e.link for e in _sent(app)[before:]} == {"/x", "/y"}  # each once
    for row in (stranded, lost, waiting, exhausted):
        db.session.refresh(row)
    assert (stranded.status, stranded.attempts) == ("succeeded", 2)
    assert lost.status == "succeeded"
    assert waiting.status == "queued"  # not due: left alone
    assert (exhausted.status, exhausted.error) == ("failed", "WorkerLost")
    assert sweep() == {"recovered": 0, "failed": 0, "redispatched": 0}


def test_a_failing_job_is_retried_then_fails_and_its_starter_may_try_again(
    app: Flask, caplog: pytest.LogCaptureFixture, login_as
) -> None:
    client, account = login_as(Role.SUPERVISOR)
    job = start_job(FAILING, started_by=account.user)
    db.session.commit()
    db.session.refresh(job)
    assert (job.status, job.attempts, job.error) == ("queued", 1, "RuntimeError")
    for _ in range(2):
        _time_passes(job)
        engine.run_scheduled(app)
    db.session.refresh(job)
    assert (job.status, job.attempts) == ("failed", 3)
    assert "Canary" not in caplog.text
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "This job stopped with an error after 3 attempts." in page
    assert "Canary" not in page
    from tests.conftest import csrf_token

    token = csrf_token(client, f"/jobs/{job.id}")
    response = client.post(f"/jobs/{job.id}/restart", data={"csrf_token": token})
    assert response.status_code == 303
    db.session.refresh(job)
    assert (job.status, job.attempts) == ("queued", 1)  # tried again at once, and failed once


def test_queue_messages_are_json_with_plain_values_only() -> None:
    from huey.registry import Message

    serializer = JsonSerializer()
    message = Message("id-1", "mail.deliver", utcnow().replace(tzinfo=None), 0, 0, None, ("a",), {})
    data = serializer.serialize(message)
    assert data.startswith(b"{")
    assert serializer.deserialize(data) == message
    with pytest.raises(TypeError):
        serializer.serialize(Message("id-2", "x", None, 0, 0, None, (object(),), {}))


def test_the_daily_referral_expiry_is_a_job(app: Flask) -> None:
    from casework.jobs.api import start_daily_job
    from casework.referrals.jobs import EXPIRE

    job = start_daily_job(EXPIRE)
    assert job is not None
    db.session.refresh(job)
    assert (job.status, job.result) == ("succeeded", {"referrals_expired": 0})
    assert {name for name, (when, _) in registry.PERIODIC.items() if when == "daily"} >= {
        f"daily.{EXPIRE}",
        "daily.cases.erase_due",
    }
    assert registry.PERIODIC["jobs.sweep"][0] == "minute"


def test_the_worker_command_refuses_eager_mode(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code != 0
    assert "eager" in result.output


def test_the_broker_sits_beside_the_database_by_default(app: Flask, tmp_path: Any) -> None:
    from tests.conftest import build_app

    sqlite = build_app(str(tmp_path), SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/db.sqlite3")
    assert engine.broker_url(sqlite) == f"sqlite:///{tmp_path}/jobs.sqlite3"
    pg = build_app(
        str(tmp_path), SQLALCHEMY_DATABASE_URI="postgresql+psycopg://casework:pw@db:5432/casework"
    )
    assert engine.broker_url(pg) == "postgresql://casework:pw@db:5432/casework"
    redis = build_app(str(tmp_path), JOBS_BROKER_URL="redis://127.0.0.1:6379/3")
    assert engine.broker_url(redis) == "redis://127.0.0.1:6379/3"
