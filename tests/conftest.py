"""Test fixtures: one app per test session, a clean database for every test.

SQLite (a file, without fsync) by default; PostgreSQL when TEST_DATABASE_URL is set; Redis
(sessions and rate limits) when REDIS_URL is set. Each test starts from empty tables, an empty
session store and fresh rate-limit counters.

Two paths to empty tables (decision 0050):
- by default a test runs inside one database transaction that is rolled back at its end.
  Every session the test and its requests open joins that transaction through a SAVEPOINT,
  so `commit()` in the code under test commits the savepoint and nothing reaches the disk;
- a test marked `committing` (faults, backups, threads, other processes, the live server of
  the browser tests) commits for real, and every table is emptied after it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, text

from casework import create_app
from casework.core.extensions import db, limiter
from casework.crypto import generate_keyring, write_keyring_file
from casework.policy import Role
from tests import factories
from tests.services import postgres_url, redis_url
from tests.workers import create_worker_databases

TEST_SETTINGS = {
    "ENV_NAME": "testing",
    "WTF_CSRF_ENABLED": True,
    "SERVER_NAME": None,
    # Language choice is tested whatever the catalogues' state; the rule that only complete
    # catalogues are offered is tested with apps that leave this off (tests/test_languages.py).
    "OFFER_INCOMPLETE_LANGUAGES": True,
}


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    Flask reuses an app context that a test already pushed, which would share `g` (and the
    database session) between the test and every request it makes.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


# Folders whose every test commits for real: the browser tests drive a live server in another
# thread, the fault tests kill connections and processes, the backup tests dump the database.
# Other modules that need real commits say `pytestmark = pytest.mark.committing`.
COMMITTING_FOLDERS = {"e2e", "faults", "backup"}
# Fixtures that build a second app: on PostgreSQL it shares the test database through
# connections of its own, which must see (and may leave) committed rows.
COMMITTING_FIXTURES = {"extra_app", "own_app"}
TESTS = Path(__file__).parent


# Modules whose tests share an expensive module-scoped fixture (a served scratch instance, a
# peer installation) run whole on one xdist worker, in order; every other test is handed to
# whichever worker is free (decision 0051). A path relative to the repository.
ONE_WORKER_MODULES = {
    "tests/reports/test_running_app.py",
    "tests/federation/test_delivery.py",
    "tests/federation/test_inbound.py",
    "tests/federation/test_peers.py",
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """xdist's `loadscope` scheduler with a scope per test, except the modules above.

    (`--dist loadgroup` with `xdist_group` marks would say the same, but pytest-xdist 3.8
    renames the node id through an attribute pytest 9 no longer reads, so its groups are
    silently ignored.) Bigger scopes are handed out first, so the grouped modules start early.
    """
    if config.getvalue("dist") != "load":  # another --dist asked for on the command line
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModulesOrTests(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER_MODULES else nodeid

    return ModulesOrTests(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        in_folder = Path(item.path).relative_to(TESTS).parts[0] in COMMITTING_FOLDERS
        fixtures = set(getattr(item, "fixturenames", ()))
        if in_folder or fixtures & COMMITTING_FIXTURES:
            item.add_marker(pytest.mark.committing)


def ensure_key_file(instance_dir: str) -> str:
    """A real key file (mode 0600) in the test instance folder, as `make run` makes one."""
    path = Path(instance_dir) / "keys.json"
    if not path.exists():
        write_keyring_file(path, generate_keyring())
    return str(path)


def build_app(instance_dir: str, **overrides: object) -> Flask:
    settings: dict[str, object] = {**TEST_SETTINGS, "INSTANCE_DIR": instance_dir}
    settings["KEY_FILE"] = ensure_key_file(instance_dir)
    settings["ATTACHMENT_DIR"] = str(Path(instance_dir) / "attachments")
    settings["SQLALCHEMY_DATABASE_URI"] = postgres_url() or f"sqlite:///{instance_dir}/test.sqlite3"
    if redis_url():
        settings["REDIS_URL"] = redis_url()
    settings.update(overrides)
    application = create_app(settings)
    application.test_client_class = FreshContextClient
    return application


def _compile_translations() -> None:
    """Build the .mo catalogues the app reads (as `make compile-translations` does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from casework import ROOT

    for po_path in (ROOT / "casework" / "translations").glob("*/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        # Written aside, then renamed: xdist workers compile while others read.
        mo_path = po_path.with_suffix(".mo")
        partial = mo_path.with_name(f"messages.mo.{os.getpid()}")
        with partial.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        partial.replace(mo_path)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Catalogues compiled before any app works out which languages it offers; an xdist
    worker's own PostgreSQL databases created when missing (tests/workers.py)."""
    _compile_translations()
    create_worker_databases()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    _compile_translations()
    application = build_app(str(tmp_path_factory.mktemp("instance")))
    with application.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _no_fsync)
            db.engine.dispose()
        if db.engine.dialect.name == "postgresql":
            # The test database may hold tables another checkout's run left (landings share
            # one): their foreign keys would block dropping ours. Start from an empty schema.
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
        db.create_all()
    # A session bound to the test's connection joins its transaction with a SAVEPOINT.
    db.session.session_factory.configure(join_transaction_mode="create_savepoint")
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
    """The test database is thrown away: it need not survive a power cut."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous = OFF")
    cursor.close()


@contextmanager
def rolled_back(app: Flask) -> Iterator[None]:
    """Everything the test writes, through any session of this app, is rolled back at its end.

    The app's engine is swapped, for the test, for one connection inside an open transaction;
    Flask-SQLAlchemy binds every session to it and each session's transactions become
    SAVEPOINTs. SQLite's Python driver mishandles SAVEPOINTs in its default mode, so the
    connection issues BEGIN itself (autocommit driver mode, the SQLAlchemy documented recipe)
    and is given back in its default mode.
    """
    engines: dict[str | None, Any] = db._app_engines[app]
    engine: Engine = engines[None]
    connection = engine.connect()
    driver = connection.connection.driver_connection
    sqlite = engine.dialect.name == "sqlite"
    outer = connection.begin()
    if sqlite:
        driver.isolation_level = None  # type: ignore[union-attr]
        driver.execute("BEGIN")  # type: ignore[union-attr]
    engines[None] = connection
    try:
        yield
    finally:
        engines[None] = engine
        db.session.remove()
        outer.rollback()
        if sqlite:
            driver.isolation_level = ""  # type: ignore[union-attr]
        connection.close()


def _empty_tables() -> None:
    db.session.rollback()
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest, app: Flask) -> Iterator[None]:
    committing = request.node.get_closest_marker("committing") is not None
    with app.app_context():
        if committing:
            yield
            db.session.remove()
            _empty_tables()
        else:
            with rolled_back(app):
                yield
        limiter.reset()
        session_store = app.config.get("SESSION_CACHELIB")
        if session_store is not None:
            session_store.clear()
        elif app.config.get("SESSION_REDIS") is not None:
            redis = app.config["SESSION_REDIS"]
            for key in redis.scan_iter("session:*"):
                redis.delete(key)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on `path` (GET)."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def sign_in(client: FlaskClient, account: factories.Account) -> None:
    """The real two-step sign-in: password, then a fresh one-time code."""
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in",
        data={"email": account.user.email, "password": account.password, "csrf_token": token},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/sign-in/code")
    token = csrf_token(client, "/sign-in/code")
    response = client.post("/sign-in/code", data={"code": account.code(), "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()


def sign_in_directly(client: FlaskClient, account: factories.Account) -> None:
    """For tests that are not about signing in: the session a completed sign-in leaves
    (`casework.auth.sessions.complete_sign_in`), written straight into the session store.
    The sign-in tests use `sign_in`, the real two steps."""
    now = time.time()
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = str(account.user.id)
        session["_fresh"] = True
        session["epoch"] = account.user.session_epoch
        session["auth_at"] = now
        session["seen_at"] = now
    db.session.expire_all()  # as after `sign_in`: the test reads what requests wrote since


@pytest.fixture
def login_as(app: Flask) -> Callable[..., tuple[FlaskClient, factories.Account]]:
    """`client, account = login_as(Role.SUPERVISOR, agency=...)`: a signed-in test client."""

    def _login(role: Role | str, **kwargs: object) -> tuple[FlaskClient, factories.Account]:
        account = factories.make_user(role, **kwargs)  # type: ignore[arg-type]
        db.session.commit()
        client = app.test_client()
        sign_in_directly(client, account)
        return client, account

    return _login


ALL_ROLES = list(Role)


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(source URL, fresh empty target URL) of one dialect: a backup taken from the first is
    restored into the second (tests/backup, tests/faults). PostgreSQL's are scratch databases,
    dropped afterwards."""
    from contextlib import ExitStack

    from tests.scratch import scratch_postgres

    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/source.sqlite3", f"sqlite:///{tmp_path}/restored.sqlite3"
        return
    with ExitStack() as stack:
        yield (
            stack.enter_context(scratch_postgres("backup")),
            stack.enter_context(scratch_postgres("restore")),
        )
