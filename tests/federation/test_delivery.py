"""Delivery through the outbox and the job queue, between two installations on loopback:
delivered once, in order; the receiver down for a while (messages wait, then arrive once);
not trusted yet; a duplicated delivery; dead letters an administrator sends again; the status
the sender sees; nothing readable in the outbox or on the wire."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update
from werkzeug.serving import make_server

from casework.core.db import utcnow
from casework.core.extensions import db
from casework.crypto.identity import PublicKeys, fingerprint_words
from casework.domain import MessageType, PeerCapability, WorkStatus
from casework.federation import operations, outbox
from casework.federation.delivery import deliver_message
from casework.federation.identity import local_identity_document
from casework.federation.models import InboundReceipt, OutboundMessage, Peer
from casework.jobs import engine
from casework.policy import Role
from tests.admin.conftest import audit_events, text
from tests.conftest import csrf_token
from tests.federation.installations import Installation

pytestmark = pytest.mark.usefixtures("federated")


def cambodia_trusts_thailand(cambodia: Installation) -> None:
    """Cambodia's administrator adds Thailand (the fingerprint compared aloud)."""
    document = local_identity_document()
    words = fingerprint_words(PublicKeys.from_json(document["body"]).fingerprint)
    with cambodia.app.app_context():
        if db.session.execute(select(Peer)).first() is None:
            operations.add_peer(
                None,
                address=document["body"]["address"],
                fingerprint=words,
                capabilities=[PeerCapability.REFERRALS],
                document=document,
            )
            db.session.commit()


def cambodia_receipts(cambodia: Installation) -> list[tuple[int, str]]:
    with cambodia.app.app_context():
        rows = db.session.execute(
            select(InboundReceipt.seq, InboundReceipt.outcome).order_by(InboundReceipt.seq)
        ).all()
        return [(int(seq), str(outcome)) for seq, outcome in rows]


def forget_cambodias_state(cambodia: Installation) -> None:
    with cambodia.app.app_context():
        db.session.execute(InboundReceipt.__table__.delete())
        db.session.execute(Peer.__table__.delete())
        db.session.commit()


@pytest.fixture
def peer(cambodia: Installation) -> Iterator[Peer]:
    forget_cambodias_state(cambodia)
    row = operations.add_peer(
        None,
        address=cambodia.address,
        fingerprint=cambodia.fingerprint_words(),
        capabilities=[PeerCapability.STATISTICS],
    )
    db.session.commit()
    yield row
    forget_cambodias_state(cambodia)


def rows() -> list[OutboundMessage]:
    db.session.expire_all()
    return list(db.session.execute(select(OutboundMessage).order_by(OutboundMessage.seq)).scalars())


def send_hello(peer: Peer) -> OutboundMessage:
    row = outbox.send_message(db.session.get(Peer, peer.id), MessageType.HELLO, {})  # type: ignore[arg-type]
    db.session.commit()  # eager queue: delivered right after the commit
    return row


def due_now() -> None:
    db.session.execute(update(OutboundMessage).values(run_after=utcnow()))
    db.session.commit()


def test_delivered_once_and_in_order(app: Flask, cambodia: Installation, peer: Peer) -> None:
    from tests.services import any_postgres_url

    # Each installation has its own database: PostgreSQL too when the tests have it.
    on_postgres = cambodia.app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    assert on_postgres == (any_postgres_url() is not None)
    assert cambodia.app.config["SQLALCHEMY_DATABASE_URI"] != app.config["SQLALCHEMY_DATABASE_URI"]
    cambodia_trusts_thailand(cambodia)
    first, second = send_hello(peer), send_hello(peer)
    assert [r.status for r in rows()] == [WorkStatus.SUCCEEDED, WorkStatus.SUCCEEDED]
    assert cambodia_receipts(cambodia) == [(1, "applied"), (2, "applied")]
    assert outbox.delivery_status(rows()[0]) == "delivered"
    # The queue hands the same id over again: the row is settled, nothing is sent twice.
    deliver_message(str(first.id))
    # And the receiver, handed the same bytes again, acts once.
    from casework.federation import client

    answer = client.post_json(cambodia.address, "/federation/inbox", rows()[1].envelope)
    assert answer == {"status": "duplicate"}
    assert cambodia_receipts(cambodia) == [(1, "applied"), (2, "applied")]
    assert second.seq == 2
    assert [e.detail for e in audit_events("federation.message_delivered")] == ["applied"] * 2


def test_not_trusted_yet_then_trusted(app: Flask, cambodia: Installation, peer: Peer) -> None:
    """Until Cambodia adds Thailand, its answer is 'unknown peer': the message waits."""
    row = send_hello(peer)
    [waiting] = rows()
    assert (waiting.status, waiting.error) == (WorkStatus.QUEUED, "unknown-peer")
    assert outbox.delivery_status(waiting) == "waiting for Cambodia (test)"
    cambodia_trusts_thailand(cambodia)
    due_now()
    engine.run_scheduled(app)
    [done] = rows()
    assert done.status == WorkStatus.SUCCEEDED
    assert done.id == row.id
    assert cambodia_receipts(cambodia) == [(1, "applied")]


@contextmanager
def down_then_up(cambodia: Installation) -> Iterator[threading.Event]:
    """Cambodia's server stops; set the event to bring it back on the same port."""
    port = cambodia.server.server_port
    cambodia.server.shutdown()
    cambodia.server.server_close()
    back = threading.Event()
    try:
        yield back
    finally:
        server = make_server("127.0.0.1", port, cambodia.app, threaded=True)
        cambodia.server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()


def test_the_receiver_down_for_a_while(app: Flask, cambodia: Installation, peer: Peer) -> None:
    cambodia_trusts_thailand(cambodia)
    with down_then_up(cambodia):
        send_hello(peer)
        send_hello(peer)
        first, second = rows()
        assert (first.status, first.attempts) == (WorkStatus.QUEUED, 1)
        assert first.error == "ConnectionRefusedError"
        assert (second.status, second.attempts) == (WorkStatus.QUEUED, 0)  # waits its turn
        due_now()
        engine.run_scheduled(app)
        assert [r.attempts for r in rows()] == [2, 0]
    due_now()
    engine.run_scheduled(app)
    assert [r.status for r in rows()] == [WorkStatus.SUCCEEDED, WorkStatus.SUCCEEDED]
    assert cambodia_receipts(cambodia) == [(1, "applied"), (2, "applied")]


def test_dead_letters_are_listed_and_sent_again(
    app: Flask, cambodia: Installation, peer: Peer, login_as: Any
) -> None:
    cambodia_trusts_thailand(cambodia)
    app.config["FEDERATION_MAX_ATTEMPTS"], saved = 2, app.config["FEDERATION_MAX_ATTEMPTS"]
    try:
        with down_then_up(cambodia):
            send_hello(peer)
            due_now()
            engine.run_scheduled(app)
            [dead] = rows()
            assert (dead.status, dead.settled) == (WorkStatus.FAILED, False)
            assert outbox.delivery_status(dead).startswith("failed: ")
            assert audit_events("federation.message_dead")
    finally:
        app.config["FEDERATION_MAX_ATTEMPTS"] = saved
    client, account = login_as(Role.ADMIN)
    assert "needs attention" in text(client.get("/"))
    page = text(client.get("/federation/outbox"))
    assert "Send again" in page
    assert "Cambodia (test)" in page
    token = csrf_token(client, "/federation/outbox")
    response = client.post(f"/federation/outbox/{dead.id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    [sent] = rows()
    assert sent.status == WorkStatus.SUCCEEDED
    assert cambodia_receipts(cambodia) == [(1, "applied")]
    [event] = audit_events("federation.message_retried")
    assert event.actor_id == account.user.id


def test_a_connection_check_from_the_peer_page(
    app: Flask, cambodia: Installation, peer: Peer, login_as: Any
) -> None:
    cambodia_trusts_thailand(cambodia)
    client, _ = login_as(Role.ADMIN)
    path = f"/federation/peers/{peer.id}"
    response = client.post(path + "/check", data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    [row] = rows()
    assert (row.type, row.status) == ("hello", WorkStatus.SUCCEEDED)


def test_a_suspended_peer_is_sent_nothing(app: Flask, cambodia: Installation, peer: Peer) -> None:
    cambodia_trusts_thailand(cambodia)
    operations.suspend_peer(None, db.session.get(Peer, peer.id))  # type: ignore[arg-type]
    db.session.commit()
    send_hello(peer)
    [row] = rows()
    assert (row.status, row.attempts) == (WorkStatus.QUEUED, 0)
    assert cambodia_receipts(cambodia) == []
    operations.resume_peer(None, db.session.get(Peer, peer.id))  # type: ignore[arg-type]
    db.session.commit()
    due_now()
    engine.run_scheduled(app)
    assert rows()[0].status == WorkStatus.SUCCEEDED


def test_nothing_readable_in_the_outbox_or_on_the_wire(
    app: Flask, cambodia: Installation, peer: Peer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework.federation import client

    cambodia_trusts_thailand(cambodia)
    captured: list[bytes] = []
    real = client.post_json

    def capture(address: str, path: str, body: bytes) -> dict[str, Any]:
        captured.append(body)
        return real(address, path, body)

    monkeypatch.setattr(client, "post_json", capture)
    canary = "Canary Sokha Chanthou 1987"
    row = outbox.send_message(
        db.session.get(Peer, peer.id),  # type: ignore[arg-type]
        MessageType.HELLO,
        {"note": canary},
    )
    db.session.commit()
    assert captured, "nothing went on the wire"
    for raw in (*captured, rows()[0].envelope):
        assert canary.encode() not in raw
        assert b"Sokha" not in raw
    assert row.status == WorkStatus.SUCCEEDED


def test_the_outbox_commands(app: Flask, cambodia: Installation, peer: Peer) -> None:
    cambodia_trusts_thailand(cambodia)
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["federation", "check", cambodia.address])
    assert checked.exit_code == 0, checked.output
    assert "delivered" in checked.output
    listed = runner.invoke(args=["federation", "outbox"])
    assert "Cambodia (test)" in listed.output
    assert "hello" in listed.output
    [row] = rows()
    refused = runner.invoke(args=["federation", "retry", str(row.id)])
    assert refused.exit_code != 0  # delivered: nothing to send again
    assert "never arrived" in refused.output


def test_peer_health_on_the_administrators_dashboard(
    app: Flask, cambodia: Installation, peer: Peer, login_as: Any
) -> None:
    cambodia_trusts_thailand(cambodia)
    send_hello(peer)
    client, _ = login_as(Role.ADMIN)
    page = text(client.get("/"))
    assert "Trusted installations" in page
    assert "Cambodia (test)" in page
    assert "needs attention" not in page
    # A caseworker's dashboard says nothing of it.
    other, _ = login_as(Role.CASEWORKER)
    assert "Cambodia (test)" not in text(other.get("/"))


def test_the_answer_lost_mid_delivery(
    app: Flask, cambodia: Installation, peer: Peer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cambodia applies the message, then the connection dies before Thailand reads the
    answer: Thailand tries again, Cambodia answers 'duplicate', and it acted once."""
    from casework.federation import client

    cambodia_trusts_thailand(cambodia)
    real = client.post_json
    calls: list[int] = []

    def cut_after_sending(address: str, path: str, body: bytes) -> dict[str, Any]:
        calls.append(1)
        answer = real(address, path, body)
        if len(calls) == 1:
            raise client.PeerUnreachable("RemoteDisconnected")
        return answer

    monkeypatch.setattr(client, "post_json", cut_after_sending)
    with cambodia.app.app_context():
        before = len(audit_events())
    send_hello(peer)
    [row] = rows()
    assert (row.status, row.error) == (WorkStatus.QUEUED, "RemoteDisconnected")
    assert cambodia_receipts(cambodia) == [(1, "applied")]
    due_now()
    engine.run_scheduled(app)
    [row] = rows()
    assert (row.status, row.answer) == (WorkStatus.SUCCEEDED, "applied")
    assert cambodia_receipts(cambodia) == [(1, "applied")]
    with cambodia.app.app_context():
        events = audit_events()[before:]
        assert [e.action for e in events if e.action.startswith("federation.message")] == [
            "federation.message_received",
            "federation.message_duplicate",
        ]


def test_a_worker_killed_mid_delivery(app: Flask, cambodia: Installation, peer: Peer) -> None:
    """The worker took the message and died: once its lease runs out, the sweeper hands the
    message to the queue again, and it arrives once."""
    from datetime import timedelta

    from casework.jobs.claims import claim
    from casework.jobs.sweeper import sweep

    cambodia_trusts_thailand(cambodia)
    row = outbox.send_message(db.session.get(Peer, peer.id), MessageType.HELLO, {})  # type: ignore[arg-type]
    db.session.flush()
    # Taken by a worker (before the commit hands it over), which then dies.
    assert claim(OutboundMessage, row.id, utcnow(), 60)
    db.session.info.pop("casework_jobs_after_commit", None)
    db.session.commit()
    assert rows()[0].status == WorkStatus.RUNNING
    assert cambodia_receipts(cambodia) == []
    # Its lease runs out.
    db.session.execute(update(OutboundMessage).values(lease_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    counts = sweep()  # hands it over again: delivered (eager queue) at once
    assert counts["recovered"] == 1
    [done] = rows()
    assert done.status == WorkStatus.SUCCEEDED
    assert cambodia_receipts(cambodia) == [(1, "applied")]
