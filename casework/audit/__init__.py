"""The audit trail: `record(action, ...)` appends a hash-chained event.

Events name ids and actions only. Within a request, events are written in the request's
transaction; `durable=True` events (denials, failed sign-ins) are written even when the
request's own changes are rolled back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import g, has_request_context
from sqlalchemy import select, update
from sqlalchemy.orm import Session, scoped_session

from casework.audit.chain import GENESIS, event_hash
from casework.audit.models import AuditEvent, AuditHead
from casework.core.db import utcnow
from casework.core.extensions import db


@dataclass
class PendingEvent:
    action: str
    actor_id: uuid.UUID | None
    target_type: str | None
    target_id: str | None
    outcome: str
    detail: str | None
    request_id: str | None = field(default=None)


def _target_parts(target: Any) -> tuple[str | None, str | None]:
    if target is None:
        return None, None
    if isinstance(target, tuple):
        kind, ident = target
        return str(kind), str(ident) if ident is not None else None
    return str(getattr(target, "__tablename__", type(target).__name__)), str(target.id)


def record(
    action: str,
    *,
    actor: Any = None,
    target: Any = None,
    outcome: str = "success",
    detail: str | None = None,
    durable: bool = False,
) -> None:
    """Append an audit event. `actor` is a user (or its id); `target` an object with an id,
    or a (type, id) pair. `detail` holds codes or field names, never personal data."""
    actor_id = getattr(actor, "id", actor)
    target_type, target_id = _target_parts(target)
    request_id = g.get("request_id") if has_request_context() else None
    event = PendingEvent(action, actor_id, target_type, target_id, outcome, detail, request_id)
    if durable and has_request_context():
        g.setdefault("durable_audit", []).append(event)
        return
    append(db.session, event)


def append(session: Session | scoped_session[Any], pending: PendingEvent) -> AuditEvent:
    """Write one event at the chain's tip, holding the head row lock."""
    if session.get_bind().dialect.name == "sqlite":
        # SQLite ignores FOR UPDATE and reads outside a transaction: take its write lock
        # first (a no-op update), so no other writer can move the head between our read
        # and our insert.
        session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq))
    head = session.execute(
        select(AuditHead)
        .where(AuditHead.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    event = AuditEvent(
        seq=head.seq + 1,
        at=utcnow(),
        actor_id=pending.actor_id,
        action=pending.action,
        target_type=pending.target_type,
        target_id=pending.target_id,
        outcome=pending.outcome,
        request_id=pending.request_id,
        detail=pending.detail,
        prev_hash=head.hash,
    )
    event.hash = event_hash(event)
    head.seq, head.hash = event.seq, event.hash
    session.add(event)
    session.flush()
    return event


def write_durable_events(session: Session | scoped_session[Any]) -> None:
    """Write the request's durable events (called by the unit of work)."""
    for pending in g.pop("durable_audit", []):
        append(session, pending)
