"""Migrations: `upgrade head` gives exactly the models' schema, and every revision goes down
and back up, on SQLite and (when TEST_DATABASE_URL is set) on PostgreSQL."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from casework import ROOT
from casework.core.extensions import db
from tests.conftest import build_app
from tests.services import any_postgres_url, need

MIGRATIONS = str(ROOT / "migrations")


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/migrations.sqlite3"


@pytest.fixture
def postgres_scratch_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test, dropped afterwards."""
    base = any_postgres_url()
    need(base is not None, "PostgreSQL not configured (TEST_DATABASE_URL or TEST_POSTGRES_URL)")
    assert base is not None
    url = make_url(base)
    name = f"casework_mig_{uuid.uuid4().hex[:10]}"
    admin_dsn = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return _sqlite_url(tmp_path)
    return str(request.getfixturevalue("postgres_scratch_url"))


def _schema_differences() -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, db.metadata))


def _revisions() -> list[str]:
    script = ScriptDirectory(str(Path(MIGRATIONS)))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_upgrade_head_equals_models(database_url: str, tmp_path: Path) -> None:
    app = build_app(str(tmp_path), SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        assert _schema_differences() == []
        db.engine.dispose()


def test_every_revision_goes_down_and_up(database_url: str, tmp_path: Path) -> None:
    app = build_app(str(tmp_path), SQLALCHEMY_DATABASE_URI=database_url)
    revisions = _revisions()
    assert revisions, "no migration revisions found"
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        # Step down one revision at a time to the base, then all the way up again.
        for _ in revisions:
            flask_migrate.downgrade(directory=MIGRATIONS, revision="-1")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        for revision in revisions:
            flask_migrate.upgrade(directory=MIGRATIONS, revision=revision)
        assert _schema_differences() == []
        db.engine.dispose()


REVISION_FILE = re.compile(r"^\d{4}_\d{2}_\d{2}_\d{4}-([0-9a-f]+)_[a-z0-9_]+\.py$")


def test_revision_files_are_named_by_date_and_time() -> None:
    names = [p.name for p in (ROOT / "migrations" / "versions").glob("*.py")]
    assert names
    assert all(REVISION_FILE.match(name) for name in names), names


def test_revision_files_list_in_chain_order() -> None:
    """Sorted by name, the files read base first, head last: a newcomer reads the history
    in the order it happened (alembic's file template puts the UTC date and time first)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    chain = [rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions()]
    chain.reverse()  # walk_revisions goes from the head down
    files = sorted(p.name for p in (ROOT / "migrations" / "versions").glob("*.py"))
    by_name = [m.group(1) for m in map(REVISION_FILE.match, files) if m]
    assert by_name == chain
