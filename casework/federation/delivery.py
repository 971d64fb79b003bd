"""Delivering the outbox (task `federation.deliver`, run by the job queue's workers).

Claim the row (a second delivery of the same id finds it taken), wait for the earlier messages
of the same stream (the receiver applies a peer's messages in order), POST the sealed envelope
to the peer's inbox, record the answer. The receiver settles a message by answering 200:
applied (or already applied: a duplicate acts once) or refused for good. Anything else (no
answer, the peer not trusting us yet, a gap in the stream) is tried again after
FEDERATION_RETRY_SECONDS, doubled each time, until FEDERATION_MAX_ATTEMPTS; then the message is
a dead letter an administrator can retry. Logs carry ids, codes and error classes only.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from casework import audit
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.domain import PeerStatus, WorkEvent, WorkStatus
from casework.federation import client
from casework.federation.models import OutboundMessage
from casework.federation.outbox import DELIVER
from casework.jobs import engine, registry
from casework.jobs.claims import claim, move
from casework.jobs.sweeper import register_outbox

log = logging.getLogger("casework.federation")
LEASE_SECONDS = 120.0
INBOX_PATH = "/federation/inbox"
WAIT_FOR_EARLIER_SECONDS = 2.0


@registry.task(DELIVER)
def deliver_message(message_id: str) -> None:
    key = uuid.UUID(message_id)
    won = claim(OutboundMessage, key, utcnow(), LEASE_SECONDS)
    db.session.commit()
    if not won:
        return
    row = db.session.get(OutboundMessage, key)
    if row is None:  # pragma: no cover - claimed a moment ago
        return
    if row.peer.status != PeerStatus.ACTIVE or _earlier_unsettled(row):
        # Suspended peers are sent nothing; a later message waits for the earlier ones.
        _later(row, WAIT_FOR_EARLIER_SECONDS, None, count_attempt=False)
        return
    try:
        answer = client.post_json(row.peer.address, INBOX_PATH, row.envelope)
    except client.PeerUnreachable as refusal:
        _after_failure(row, str(refusal.message))
        return
    status = answer.get("status")
    if status in ("applied", "duplicate"):
        _settle(row, WorkEvent.SUCCEED, "applied")
    elif status == "refused":
        _settle(row, WorkEvent.FAIL, str(answer.get("code") or "rejected")[:40])
    else:
        _after_failure(row, "bad-answer")


def _earlier_unsettled(row: OutboundMessage) -> bool:
    return (
        db.session.execute(
            select(OutboundMessage.id)
            .where(
                OutboundMessage.peer_id == row.peer_id,
                OutboundMessage.seq < row.seq,
                OutboundMessage.settled.is_(False),
            )
            .limit(1)
        ).first()
        is not None
    )


def _after_failure(row: OutboundMessage, code: str) -> None:
    extra = {"message_id": row.message_id, "peer_id": str(row.peer_id), "error": code[:40]}
    if row.attempts >= row.max_attempts:
        move(row, WorkEvent.FAIL)
        row.error = code[:80]
        row.lease_until = None
        row.finished_at = utcnow()
        audit.record("federation.message_dead", target=row, outcome="failed", detail=code[:60])
        db.session.commit()
        log.error("federation message not delivered: given up", extra=extra)
        return
    delay = registry.backoff_seconds(
        float(current_app.config["FEDERATION_RETRY_SECONDS"]), 2.0, row.attempts
    )
    _later(row, delay, code, count_attempt=True)
    log.warning("federation message not delivered: will try again", extra=extra)


def _later(row: OutboundMessage, delay: float, code: str | None, *, count_attempt: bool) -> None:
    move(row, WorkEvent.RETRY)
    if not count_attempt:
        row.attempts -= 1
    if code is not None:
        row.error = code[:80]
    row.lease_until = None
    row.run_after = row.dispatched_at = utcnow() + timedelta(seconds=delay)
    key = str(row.id)
    db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    engine.send(app, DELIVER, key, delay=delay)


def _settle(row: OutboundMessage, event: WorkEvent, answer: str) -> None:
    move(row, event)
    row.settled = True
    row.answer = answer
    row.error = None if event == WorkEvent.SUCCEED else answer
    row.lease_until = None
    row.finished_at = row.delivered_at = utcnow()
    audit.record(
        "federation.message_delivered"
        if event == WorkEvent.SUCCEED
        else "federation.message_refused_by_peer",
        target=row,
        outcome="success" if event == WorkEvent.SUCCEED else "refused",
        detail=answer,
    )
    successor = db.session.execute(
        select(OutboundMessage)
        .where(
            OutboundMessage.peer_id == row.peer_id,
            OutboundMessage.seq > row.seq,
            OutboundMessage.status == WorkStatus.QUEUED,
        )
        .order_by(OutboundMessage.seq)
        .limit(1)
    ).scalar_one_or_none()
    successor_id = None
    if successor is not None and successor.error is None:
        # The next in the stream was only waiting for this one: it goes now. (One that
        # failed on its own waits out its backoff.)
        successor.run_after = successor.dispatched_at = utcnow()
        successor_id = str(successor.id)
    db.session.commit()
    if successor_id is not None:
        engine.send(current_app._get_current_object(), DELIVER, successor_id)  # type: ignore[attr-defined]


register_outbox(OutboundMessage, DELIVER)
