from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.db import Base, UTCDateTime

# BIGINT on PostgreSQL; SQLite wants plain INTEGER for its row ids.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class AuditEvent(Base):
    """One append-only event. Ids and action codes only: never names or free text.

    `hash` covers `prev_hash` and every field, so an edit, a removal or a reordering breaks
    the chain at that point (`flask audit verify`).
    """

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(500))  # codes and field names only
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The chain's tip: one row, locked while appending so the chain never forks, and the
    witness that no event was removed from the end."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(SeqType)
    hash: Mapped[str] = mapped_column(String(64))
