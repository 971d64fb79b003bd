"""Sending to a peer: `send_message` seals the message and writes it to the outbox in the
caller's transaction; the queue delivers it after the commit (`delivery`). What the sending
person sees is `delivery_status`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from casework import audit
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.crypto.messages import encode_body, new_header, seal
from casework.domain import PeerStatus, WorkEvent, WorkStatus
from casework.federation.identity import FederationNotReady, local_address, local_keys
from casework.federation.models import OutboundMessage, Peer
from casework.jobs.api import enqueue_after_commit
from casework.jobs.claims import move

DELIVER = "federation.deliver"


def send_message(
    peer: Peer,
    type_: str,
    body: dict[str, Any],
    *,
    actor: Any = None,
    subject: tuple[str, str] | None = None,
) -> OutboundMessage:
    """Seal `body` for `peer` and queue it (delivered after the caller's commit)."""
    if peer.status == PeerStatus.REMOVED:
        raise FederationNotReady(_("This installation was removed: nothing is sent to it."))
    keys = local_keys()
    seq = _next_seq(peer)
    enc_kid, receiver_key = peer.keys.encryption_key()
    ttl = timedelta(hours=float(current_app.config["FEDERATION_MESSAGE_TTL_HOURS"]))
    header = new_header(
        type_=type_,
        sender=local_address(),
        receiver=peer.address,
        seq=seq,
        kid=keys.signing_active,
        enc_kid=enc_kid,
        ttl=ttl,
    )
    envelope = seal(
        header, encode_body(body), signing_key=keys.signing_private(), receiver_key=receiver_key
    )
    row = OutboundMessage(
        peer_id=peer.id,
        message_id=header.id,
        type=type_,
        seq=seq,
        envelope=envelope.to_bytes(),
        subject_type=subject[0] if subject else None,
        subject_id=subject[1] if subject else None,
        created_by_id=getattr(actor, "id", None),
        max_attempts=int(current_app.config["FEDERATION_MAX_ATTEMPTS"]),
        status=WorkStatus.QUEUED,
        attempts=0,
        run_after=utcnow(),
        dispatched_at=utcnow(),
        created_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    audit.record("federation.message_queued", actor=actor, target=row, detail=type_)
    enqueue_after_commit(DELIVER, str(row.id))
    return row


def _next_seq(peer: Peer) -> int:
    """The next number in our stream to `peer`, taken under the peer row's lock (one writer
    at a time per peer, so numbers are never given twice)."""
    taken = db.session.execute(
        update(Peer)
        .where(Peer.id == peer.id)
        .values(next_outbound_seq=Peer.next_outbound_seq + 1)
        .returning(Peer.next_outbound_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    db.session.refresh(peer, ["next_outbound_seq"])
    return int(taken) - 1


def delivery_status(row: OutboundMessage) -> str:
    """What the sender sees: delivered, waiting for <installation>, or failed: <why>."""
    if row.status == WorkStatus.SUCCEEDED:
        return str(_("delivered"))
    if row.status == WorkStatus.FAILED:
        return str(_("failed: %(reason)s", reason=refusal_reason(row.answer or row.error)))
    return str(_("waiting for %(installation)s", installation=row.peer.name))


def refusal_reason(code: str | None) -> str:
    reasons = {
        "unknown-peer": _("the other installation does not trust this one (yet)"),
        "suspended-peer": _("the other installation has suspended this one"),
        "removed-peer": _("the other installation has removed this one"),
        "not-allowed": _("the other installation does not accept this kind of message from us"),
        "past-expiry": _("it arrived too late"),
        "unsupported": _("the other installation cannot handle this kind of message"),
        "rejected": _("the other installation refused it"),
    }
    return str(reasons.get(code or "", _("the other installation could not be reached")))


def dead_letters() -> Any:
    """Messages given up after every attempt, never settled by the receiver (can be retried)."""
    return (
        select(OutboundMessage)
        .where(OutboundMessage.status == WorkStatus.FAILED, OutboundMessage.settled.is_(False))
        .order_by(OutboundMessage.created_at)
    )


def retry_message(actor: Any, row: OutboundMessage) -> None:
    """Queue a dead letter again (the same sealed message: the receiver still acts once)."""
    if row.settled or row.status != WorkStatus.FAILED:
        raise FederationNotReady(_("Only a message that never arrived can be sent again."))
    move(row, WorkEvent.RESTART)
    row.attempts = 0
    row.error = None
    row.finished_at = None
    row.run_after = row.dispatched_at = utcnow()
    db.session.flush()
    audit.record("federation.message_retried", actor=actor, target=row)
    enqueue_after_commit(DELIVER, str(row.id))
