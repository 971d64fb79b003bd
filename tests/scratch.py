"""Throw-away PostgreSQL databases for tests that need a database of their own (faults that
kill connections, restores into a fresh database). Named after the configured test database,
so each developer's and CI's stay apart; dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url

from tests.services import any_postgres_url, need


def admin_dsn(url: str) -> str:
    """A libpq address for the maintenance database of the server `url` points at."""
    return (
        make_url(url)
        .set(drivername="postgresql", database="postgres")
        .render_as_string(hide_password=False)
    )


def libpq_dsn(url: str) -> str:
    """`url` (a SQLAlchemy URL) as a plain libpq address."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def scratch_postgres(purpose: str) -> Iterator[str]:
    """A new, empty PostgreSQL database (SQLAlchemy URL); dropped on the way out."""
    base = any_postgres_url()
    need(base is not None, "PostgreSQL not configured (TEST_DATABASE_URL or TEST_POSTGRES_URL)")
    assert base is not None
    url = make_url(base)
    name = f"{url.database}_{purpose}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_dsn(base), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn(base), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
