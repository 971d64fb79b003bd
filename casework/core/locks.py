"""Serialise a critical section across requests, workers and hosts: `serialise(name)` holds a
lock until the end of the current transaction.

PostgreSQL: a transaction-level advisory lock on the name. SQLite has no such locks: the
database's single write lock is taken at once (an empty write), which serialises every writer.
Used where two concurrent requests could both find "not there yet" and insert the same row
(found by the security scan: two report releases of the same request).
"""

from __future__ import annotations

from sqlalchemy import text

from casework.core.extensions import db


def serialise(name: str) -> None:
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name}
        )
    else:
        session.execute(text("UPDATE audit_head SET seq = seq WHERE 0 = 1"))
