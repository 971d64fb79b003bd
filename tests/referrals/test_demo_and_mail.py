"""Demo referrals (each role sees a realistic inbox; `demo --json` fills referred_to) and
the mailers (console in development, SMTP when configured; never personal data)."""

from __future__ import annotations

import json
import logging
import smtplib
from typing import Any, ClassVar

import pytest
from sqlalchemy import select

from casework.core.extensions import db
from casework.notifications import mailer
from casework.referrals import expiry
from casework.referrals.models import Referral
from tests.referrals.conftest import World, refer


def test_demo_has_every_kind_of_referral(app) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    referrals = db.session.execute(select(Referral)).scalars().all()
    statuses = {expiry.effective_status(r) for r in referrals}
    assert {"pending", "accepted", "declined", "completed"} <= statuses
    assert {r.cross_border for r in referrals} == {True, False}
    summary = json.loads(runner.invoke(args=["demo", "--json"]).output)
    referred = {c["reference"]: c["referred_to"] for c in summary["cases"]}
    assert ["Phnom Penh Counselling Centre"] in referred.values()
    assert all(isinstance(names, list) for names in referred.values())
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    assert len(db.session.execute(select(Referral)).all()) == len(referrals), "loaded once"


def test_demo_partner_inbox_and_tasks(app) -> None:
    from casework.auth.models import User
    from casework.main.tasks import dashboard_tasks

    app.test_cli_runner().invoke(args=["demo"])
    partner = db.session.execute(
        select(User).where(User.email == "partner@demo.casework.example")
    ).scalar_one()
    kinds = {task.kind for task in dashboard_tasks(partner)}
    assert "follow_up" in kinds
    supervisor = db.session.execute(
        select(User).where(User.email == "shelter.supervisor@demo.casework.example")
    ).scalar_one()
    assert "referral_answer" in {task.kind for task in dashboard_tasks(supervisor)}


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_console_mailer_logs_user_id_and_link_only(world: World, app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    capture = Capture()
    logging.getLogger("casework.mail").addHandler(capture)
    try:
        referral = refer(world)
        db.session.commit()
    finally:
        logging.getLogger("casework.mail").removeHandler(capture)
    [line] = [r for r in capture.records if r.to_user_id == str(world.partner.user.id)]  # type: ignore[attr-defined]
    assert line.link.endswith(f"/referrals/{referral.id}")  # type: ignore[attr-defined]
    text = json.dumps({k: str(v) for k, v in vars(line).items()})
    for secret in ("Canary", "Sreymom", world.partner.user.email, "nightmares"):
        assert secret not in text


def test_nothing_is_sent_when_the_action_is_rolled_back(world: World, app) -> None:
    before = len(app.extensions.get(mailer.MEMORY_OUTBOX, []))
    refer(world)
    db.session.rollback()
    db.session.commit()
    assert len(app.extensions.get(mailer.MEMORY_OUTBOX, [])) == before


class FakeSMTP:
    sent: ClassVar[list[Any]] = []

    def __init__(self, host: str, port: int, timeout: int) -> None:
        self.calls = [("connect", host, port)]

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def starttls(self, context: object) -> None:
        self.calls.append(("starttls",))

    def login(self, user: str, password: str) -> None:
        self.calls.append(("login", user))

    def send_message(self, message: Any) -> None:
        FakeSMTP.sent.append((self.calls, message))


def test_smtp_when_configured(world: World, app, monkeypatch) -> None:
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    for key, value in {
        "MAIL_BACKEND": "",
        "MAIL_SERVER": "smtp.example.org",
        "MAIL_USERNAME": "casework",
        "MAIL_PASSWORD": "x",
        "BASE_URL": "https://casework.example.org",
    }.items():
        monkeypatch.setitem(app.config, key, value)
    referral = refer(world)
    db.session.commit()
    assert len(FakeSMTP.sent) == 2  # the NGO's partner and supervisor
    calls, message = FakeSMTP.sent[0]
    assert calls == [("connect", "smtp.example.org", 587), ("starttls",), ("login", "casework")]
    body = message.get_content()
    assert f"https://casework.example.org/referrals/{referral.id}" in body
    assert world.case.reference in message["Subject"]
    for secret in ("Canary", "Sreymom", "nightmares", "KH Counselling"):
        assert secret not in body + message["Subject"]


def test_smtp_failure_keeps_the_notification(world: World, app, monkeypatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    refer(world)
    db.session.commit()  # no exception: the in-app notification stands
    from casework.notifications.models import Notification

    assert len(db.session.execute(select(Notification)).all()) == 2


@pytest.mark.parametrize("kind", ["memory", "console"])
def test_backend_choice(app, monkeypatch, kind) -> None:
    monkeypatch.setitem(app.config, "MAIL_BACKEND", kind)
    assert mailer.backend(app) == kind
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    assert mailer.backend(app) == "console"
