"""Concurrent requests appending to the audit chain (found by the security scan: two
gunicorn threads on SQLite read the same chain head and the second insert failed with a 500).
On PostgreSQL the head row is locked (SELECT ... FOR UPDATE); SQLite has no row locks, so the
append first takes the database's write lock."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask

from casework import audit
from casework.audit.chain import verify_chain
from casework.audit.models import AuditEvent, AuditHead
from casework.core.extensions import db

THREADS = 8
EVENTS_EACH = 15


def _append_many(
    application: Flask, failures: list[BaseException], start: threading.Barrier
) -> None:
    with application.app_context():
        start.wait()
        for _ in range(EVENTS_EACH):
            try:
                with application.test_request_context():
                    audit.record("test.concurrent", detail="x")
                    db.session.commit()
            except BaseException as error:
                failures.append(error)
                db.session.rollback()
            finally:
                db.session.remove()


def test_concurrent_appends_keep_one_chain(own_app, tmp_path: Path) -> None:
    application = own_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/audit.sqlite3")
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)
    threads = [
        threading.Thread(target=_append_many, args=(application, failures, start))
        for _ in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with application.app_context():
        head = db.session.get(AuditHead, 1)
        events = db.session.query(AuditEvent).order_by(AuditEvent.seq).all()
        assert head is not None
        assert head.seq == len(events) == THREADS * EVENTS_EACH
        assert verify_chain(events, head.seq, head.hash)[1] is None
