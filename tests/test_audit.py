"""The audit trail: a hash chain that `flask audit verify` checks, and no personal data."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select, update

from casework import audit
from casework.audit.chain import event_hash, verify_chain
from casework.audit.models import AuditEvent, AuditHead
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.conftest import csrf_token, sign_in
from tests.security.helpers import post_code, post_password

CONTENT_FIELDS = (
    "at",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "outcome",
    "request_id",
    "detail",
    "prev_hash",
    "hash",
)


def _verify(app: Flask) -> Any:
    db.session.expire_all()
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def _events() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars())


def _record(n: int) -> None:
    for i in range(n):
        audit.record("test.event", target=("thing", i), detail=f"step-{i}")
    db.session.commit()


def _activity(app: Flask) -> factories.Account:
    """Sign-ins, failures, a denial-free session and a sign-out, through HTTP."""
    account = factories.make_user(Role.SUPERVISOR)
    db.session.commit()
    client = app.test_client()
    sign_in(client, account)
    client.get("/")
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})
    other = app.test_client()
    post_password(other, account.user.email, "not the password at all 1")
    post_password(other, "nobody@example.org", "not the password at all 1")
    post_password(other, account.user.email, account.password)
    post_code(other, "000000")
    return account


def test_chain_verifies_after_normal_activity(app: Flask) -> None:
    _activity(app)
    _record(3)
    events = _events()
    assert len(events) >= 10
    assert {"sign_in.success", "sign_out", "sign_in.password_failed"} <= {e.action for e in events}
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    head = db.session.get(AuditHead, 1)
    assert head is not None
    assert (head.seq, head.hash) == (events[-1].seq, events[-1].hash)
    assert verify_chain(events, head.seq, head.hash) == (len(events), None)
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert f"{len(events)} events verified" in result.output


def test_empty_trail_verifies(app: Flask) -> None:
    result = _verify(app)
    assert result.exit_code == 0, result.output


def _edit(which: int, **values: object) -> None:
    db.session.execute(update(AuditEvent).where(AuditEvent.seq == which).values(**values))
    db.session.commit()


def _swap_contents(a: int, b: int) -> None:
    first, second = (db.session.get(AuditEvent, s) for s in (a, b))
    assert first is not None
    assert second is not None
    one = {f: getattr(first, f) for f in CONTENT_FIELDS}
    two = {f: getattr(second, f) for f in CONTENT_FIELDS}
    db.session.expunge_all()
    _edit(a, hash="x" * 64)  # unique column: free the value first
    _edit(b, **one)
    _edit(a, **two)


def _swap_seq(a: int, b: int) -> None:
    _edit(a, seq=-1)
    _edit(b, seq=a)
    _edit(-1, seq=b)


def _delete(seq: int) -> None:
    db.session.execute(delete(AuditEvent).where(AuditEvent.seq == seq))
    db.session.commit()


def _rehash(seq: int) -> None:
    """A careful forger: alter the event and recompute its own hash."""
    event = db.session.get(AuditEvent, seq)
    assert event is not None
    event.outcome = "denied"
    event.hash = event_hash(event)
    db.session.commit()


TAMPERING = {
    "detail edited": (lambda: _edit(3, detail="step-99"), 3, "altered"),
    "action edited": (lambda: _edit(3, action="test.other"), 3, "altered"),
    "actor added": (
        lambda: _edit(4, actor_id=factories.make_user().user.id),
        4,
        "altered",
    ),
    "edited and rehashed": (lambda: _rehash(4), 5, "does not follow"),
    "deleted from the middle": (lambda: _delete(3), 3, "missing"),
    "deleted from the end": (lambda: _delete(6), 6, "missing"),
    "first deleted": (lambda: _delete(1), 1, "missing"),
    "contents swapped": (lambda: _swap_contents(3, 4), 3, "does not follow"),
    "sequence numbers swapped": (lambda: _swap_seq(3, 4), 3, "does not follow"),
}


@pytest.mark.parametrize("case", TAMPERING, ids=list(TAMPERING))
def test_verify_names_the_tampered_event(app: Flask, case: str) -> None:
    _record(6)
    assert _verify(app).exit_code == 0
    tamper, seq, problem = TAMPERING[case]
    tamper()
    result = _verify(app)
    assert result.exit_code != 0
    assert f"BROKEN at event {seq}:" in result.output, result.output
    assert problem in result.output


def test_verify_catches_a_forged_head(app: Flask) -> None:
    _record(4)
    head = db.session.get(AuditHead, 1)
    assert head is not None
    head.hash = "f" * 64
    db.session.commit()
    result = _verify(app)
    assert result.exit_code != 0
    assert "event 4" in result.output


def test_durable_events_survive_a_rolled_back_request(app: Flask, login_as) -> None:
    """A failed password change is refused (422, rolled back) yet its event is kept."""
    client, _account = login_as(Role.CASEWORKER)
    token = csrf_token(client, "/account/password")
    response = client.post(
        "/account/password",
        data={
            "current_password": "not my current password 1",
            "new_password": "lantern meadow copper violin",
            "confirm_password": "lantern meadow copper violin",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    assert "account.password_change_failed" in {e.action for e in _events()}
    assert _verify(app).exit_code == 0


# ---- no personal data ----------------------------------------------------------------------

EMAIL = "zqaudit.person@example.org"
NAME = "Zqaudit Fullname"
PASSWORD = "zqaudit orchid harbour lantern"


def test_events_hold_no_personal_data(app: Flask, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "ACCOUNT_RATE_LIMIT", "3 per minute")
    account = factories.make_user(Role.CASEWORKER, email=EMAIL, password=PASSWORD)
    account.user.name = NAME
    db.session.commit()
    client = app.test_client()
    sign_in(client, account)
    token = csrf_token(client, "/account/password")
    new_password = "zqaudit meadow copper violin"
    client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": new_password,
            "confirm_password": new_password,
            "csrf_token": token,
        },
    )
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})
    other = app.test_client()
    post_password(other, "ZQAUDIT.unknown@example.org", "zqaudit wrong password 1")
    for _ in range(3):
        post_password(other, EMAIL, "zqaudit wrong password 2")
    post_password(other, EMAIL, new_password)  # throttled now (no lock-out: decision 0057)

    rows = db.session.execute(select(AuditEvent.__table__)).all()
    actions = {row.action for row in rows}
    assert {"sign_in.success", "account.password_changed", "sign_in.throttled"} <= actions
    text = "\n".join(" ".join(str(value) for value in row) for row in rows).lower()
    assert "zqaudit" not in text
    for value in (EMAIL, NAME, PASSWORD, new_password, "example.org"):
        assert value.lower() not in text
    assert str(account.user.id) in text, "events name the user by id"
