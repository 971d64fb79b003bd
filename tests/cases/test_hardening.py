"""Issue 12, item 15: our own request id in the audit chain, a refused record and a missing
one cost the same writes, and a SQLite database file only its owner can read."""

from __future__ import annotations

import os
import stat
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import event

from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.security.helpers import events, last_seq


@contextmanager
def _writes() -> Iterator[list[str]]:
    """The INSERT, UPDATE and DELETE statements sent while the block runs."""
    seen: list[str] = []
    engine = db.engine

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE"):
            seen.append(statement.split("(")[0].strip())

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_audit_chain_never_takes_the_clients_request_id(app: Flask, login_as, agencies) -> None:
    client, _account = login_as(Role.CASEWORKER, agency=agencies.a)
    refused = factories.make_case(agencies.b)
    db.session.commit()
    seq = last_seq()
    response = client.get(f"/cases/{refused.id}", headers={"X-Request-ID": "chosen-by-attacker"})
    assert response.status_code == 404
    [denial] = events(after_seq=seq)
    assert denial.action == "access.denied"
    assert denial.request_id != "chosen-by-attacker"
    assert denial.request_id == response.headers["X-Request-ID"]


def test_a_refused_record_and_a_missing_one_cost_the_same_writes(
    app: Flask, login_as, agencies
) -> None:
    client, account = login_as(Role.CASEWORKER, agency=agencies.a)
    refused = factories.make_case(agencies.b)
    db.session.commit()
    client.get("/")  # warm up: the session, the first request's one-off work
    client.get(f"/cases/{uuid.uuid4()}")  # and the audit chain's head row, written once
    answers = {}
    for label, case_id in (("refused", refused.id), ("missing", uuid.uuid4())):
        seq = last_seq()
        with _writes() as writes:
            response = client.get(f"/cases/{case_id}")
        answers[label] = (response.status_code, writes, len(events(after_seq=seq)))
    assert answers["refused"][0] == answers["missing"][0] == 404
    assert answers["refused"][1] == answers["missing"][1], answers
    assert answers["refused"][2] == answers["missing"][2] == 1
    missing = events("access.not_found")[-1]
    assert (missing.actor_id, missing.target_type, missing.outcome) == (
        account.user.id,
        "cases",
        "missing",
    )


def test_the_sqlite_database_file_is_created_for_its_owner_only(tmp_path: Path) -> None:
    from casework import create_app

    database = tmp_path / "casework.sqlite3"
    old_umask = os.umask(0o022)
    try:
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    finally:
        os.umask(old_umask)
    assert database.exists()
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    # An existing world-readable file is tightened.
    database.chmod(0o644)
    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
