"""The PostgreSQL connection dropped in the middle of a request.

A test-only route does what a real form does (creates an agency, renames the signed-in user,
writes audit events) and, part-way through, its database backend is terminated from another
connection with `pg_terminate_backend`: during a slow statement, between two statements, or
at the commit. Each time: a clean error page (no stack trace, nothing the request carried), no
partial write, and the next request works. A database restart between requests (every pooled
connection killed) is absorbed by `pool_pre_ping`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

import psycopg
import pytest
from flask import Blueprint, Flask, abort, request
from flask_login import current_user
from sqlalchemy import event, text

from casework.admin import operations as admin_ops
from casework.core.extensions import db
from casework.policy import Action, Role
from casework.web.access import permission
from tests import factories
from tests.conftest import csrf_token, sign_in
from tests.scratch import libpq_dsn, scratch_postgres

CANARY = "Zqfault Canary Shelter"
CANARY_NAME = "Zqfault Canary Person"
LEAKS = ("Traceback", 'File "', "OperationalError", "psycopg", "sqlalchemy", "terminat")
MODES = ("during-statement", "between-statements", "at-commit")


def _terminate(dsn: str, pid: int) -> None:
    with psycopg.connect(dsn, autocommit=True) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", [pid])


def _terminate_when_sleeping(dsn: str, pid: int) -> None:
    """From another connection: wait until backend `pid` runs its slow statement, end it."""
    with psycopg.connect(dsn, autocommit=True) as killer:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            running = killer.execute(
                "SELECT 1 FROM pg_stat_activity WHERE pid = %s AND state = 'active' "
                "AND query LIKE %s",
                [pid, "%pg_sleep%"],
            ).fetchone()
            if running:
                killer.execute("SELECT pg_terminate_backend(%s)", [pid])
                return
            time.sleep(0.02)


def _fault_routes(dsn: str) -> Blueprint:
    routes = Blueprint("fault", __name__, url_prefix="/fault")

    @routes.route("/write", methods=["POST"])
    @permission(Action.MANAGE_OWN_ACCOUNT)
    def write() -> str:
        mode = request.args.get("kill", "")
        user = current_user._get_current_object()
        admin_ops.create_agency(user, name=request.form["name"], org_type="NGO", country="TH")
        user.name = request.form["person"]
        db.session.flush()
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        if mode == "during-statement":
            killer = threading.Thread(target=_terminate_when_sleeping, args=(dsn, pid))
            killer.start()
            try:
                db.session.execute(text("SELECT pg_sleep(20)"))
            finally:
                killer.join()
        elif mode == "between-statements":
            _terminate(dsn, pid)
            db.session.execute(text("SELECT count(*) FROM agencies"))
        elif mode == "at-commit":
            event.listen(db.session(), "before_commit", lambda _s: _terminate(dsn, pid), once=True)
        elif mode:
            abort(400)
        return "saved"

    return routes


@pytest.fixture
def postgres_app(own_app: Callable[..., Flask]) -> Iterator[tuple[Flask, str]]:
    """An app on a database of its own (its connections are killed), with the fault route."""
    with scratch_postgres("faults") as url:
        application = own_app(SQLALCHEMY_DATABASE_URI=url)
        application.register_blueprint(_fault_routes(libpq_dsn(url)))
        yield application, libpq_dsn(url)


def _signed_in(application: Flask) -> tuple[object, dict[str, str]]:
    """A signed-in client and the user's id, name and email (as plain values)."""
    with application.app_context():
        account = factories.make_user(Role.ADMIN)
        db.session.commit()
        client = application.test_client()
        sign_in(client, account)
        user = {"id": str(account.user.id), "name": account.user.name, "email": account.user.email}
    return client, user


def _rows(dsn: str, sql: str, *params: object) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn) as conn:
        return list(conn.execute(sql, list(params)).fetchall())


def _post_write(client: object, kill: str, name: str = CANARY) -> object:
    token = csrf_token(client, "/account")  # type: ignore[arg-type]
    return client.post(  # type: ignore[attr-defined]
        f"/fault/write?kill={kill}",
        data={"name": name, "person": CANARY_NAME, "csrf_token": token},
    )


@pytest.mark.parametrize("mode", MODES)
def test_connection_killed_mid_request(postgres_app, app_log, mode: str) -> None:
    application, dsn = postgres_app
    client, user = _signed_in(application)
    log = app_log()
    events_before = _rows(dsn, "SELECT count(*) FROM audit_events")[0][0]

    response = _post_write(client, mode)

    # A clean error page: plain words, a reference, nothing technical or personal.
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in body
    assert "Nothing was saved" in body
    for leak in (*LEAKS, CANARY, CANARY_NAME):
        assert leak not in body, leak
    # No partial write: neither the agency, nor the new name, nor their audit events.
    assert _rows(dsn, "SELECT count(*) FROM agencies WHERE name = %s", CANARY) == [(0,)]
    assert _rows(dsn, "SELECT name FROM users WHERE id = %s", user["id"]) == [(user["name"],)]
    assert _rows(dsn, "SELECT count(*) FROM audit_events")[0][0] == events_before
    # The log says what failed, by type, without the values.
    written = log.getvalue()
    assert "unhandled exception" in written
    assert CANARY not in written
    assert CANARY_NAME not in written

    # The next request works, on the same session, and can write.
    page = client.get("/account")
    assert page.status_code == 200
    assert user["email"] in page.get_data(as_text=True)
    again = _post_write(client, "", name="Zqfault Second Try")
    assert again.status_code == 200, again.get_data(as_text=True)
    assert _rows(dsn, "SELECT count(*) FROM agencies WHERE name = %s", "Zqfault Second Try") == [
        (1,)
    ]
    with application.app_context():
        from casework.audit.chain import verify_chain
        from casework.audit.models import AuditEvent, AuditHead

        head = db.session.get(AuditHead, 1)
        events = db.session.query(AuditEvent).order_by(AuditEvent.seq).all()
        assert head is not None
        assert verify_chain(events, head.seq, head.hash)[1] is None


def _kill_every_connection_of(dsn: str) -> int:
    """What a database restart does to the application's pooled connections."""
    with psycopg.connect(dsn, autocommit=True) as killer:
        rows = killer.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


@pytest.mark.parametrize("pre_ping", [True, False], ids=["pool_pre_ping", "without"])
def test_database_restart_between_requests(own_app, pre_ping: bool, caplog) -> None:
    """With pool_pre_ping (the configured default) the first request after a restart works;
    the control without it shows the test can tell the difference: the dead connection is
    met by the request's first query (the ended-session check, which fails open and says so,
    or the user's load, a 500)."""
    with scratch_postgres("restart") as url:
        application = own_app(
            SQLALCHEMY_DATABASE_URI=url,
            SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": pre_ping},
        )
        assert application.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is pre_ping
        client, user = _signed_in(application)
        assert client.get("/account").status_code == 200  # the pool holds a live connection
        assert _kill_every_connection_of(libpq_dsn(url)) >= 1
        caplog.clear()
        sessions_log = logging.getLogger("casework.sessions")  # does not propagate to the root
        sessions_log.addHandler(caplog.handler)
        try:
            response = client.get("/account")
        finally:
            sessions_log.removeHandler(caplog.handler)
        met_dead = "sessions.ended_check_failed" in caplog.text
        if pre_ping:
            assert response.status_code == 200
            assert user["email"] in response.get_data(as_text=True)
            assert not met_dead
        else:
            assert met_dead or response.status_code == 500
            body = response.get_data(as_text=True)
            assert all(leak not in body for leak in LEAKS)
            assert client.get("/account").status_code == 200  # the dead connection is gone


def test_the_configured_engine_pings_before_use() -> None:
    from config import BaseConfig

    assert BaseConfig.SQLALCHEMY_ENGINE_OPTIONS["pool_pre_ping"] is True


def test_database_gone_gives_the_minimal_page_and_health_says_so(own_app) -> None:
    """With no database at all (dropped under the running app), even the signed-in user
    cannot be loaded: the error page is the one that needs nothing from the database."""
    from tests.scratch import admin_dsn

    with scratch_postgres("gone") as url:
        application = own_app(SQLALCHEMY_DATABASE_URI=url)
        client, _user = _signed_in(application)
        assert client.get("/health").status_code == 200
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(admin_dsn(url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        response = client.get("/account")
        body = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "Something went wrong" in body
        assert all(leak not in body for leak in LEAKS)
        assert client.get("/health").status_code == 503
