"""The audit trail: `record(action, ...)` appends a hash-chained event.

Events name ids and actions only. Within a request, events are written in the request's
transaction; `durable=True` events (denials, failed sign-ins) are written even when the
request's own changes are rolled back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import g, has_app_context, has_request_context
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
    if durable and (has_request_context() or (has_app_context() and g.get(DEFER_FLAG))):
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


DEFER_FLAG = "defer_durable_audit"
DEFERRED_BATCH = 200


@contextmanager
def durable_events_afterwards() -> Iterator[None]:
    """Inside, durable events (an integrity failure met while reading) are kept aside; on the
    way out they are written in short transactions of their own, a batch at a time. A long
    read outside a request (`backup verify`, a restore's check) then never holds the audit
    chain's head lock (SQLite: the database's write lock) while it runs: the audit found one
    unreadable value stalling every request that audits for 78 seconds."""
    g.setdefault("durable_audit", [])
    setattr(g, DEFER_FLAG, True)
    try:
        yield
    finally:
        setattr(g, DEFER_FLAG, False)
        pending = g.pop("durable_audit", [])
        db.session.rollback()  # whatever the caller left open: not written with the events
        for start in range(0, len(pending), DEFERRED_BATCH):
            for event in pending[start : start + DEFERRED_BATCH]:
                append(db.session, event)
            db.session.commit()


def write_durable_events(session: Session | scoped_session[Any]) -> None:
    """Write the request's durable events (called by the unit of work)."""
    for pending in g.pop("durable_audit", []):
        append(session, pending)
