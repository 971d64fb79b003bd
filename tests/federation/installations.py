"""Other Casework installations on loopback, for federation tests: each its own instance
folder, key file (with federation keys) and SQLite database, served by a real HTTP server in
a thread."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from flask import Flask
from sqlalchemy.engine import make_url
from werkzeug.serving import BaseWSGIServer, make_server

from casework.core.extensions import db
from casework.crypto import write_keyring_file
from casework.crypto.identity import generate_federation_keys
from casework.encryption import keys
from tests.services import any_postgres_url


def give_federation_keys(app: Flask) -> None:
    """Add federation keys to `app`'s key file (if it has none yet)."""
    with app.app_context():
        ring = keys.keyring()
        if ring.federation is None:
            write_keyring_file(
                app.config["KEY_FILE"],
                ring.with_federation(generate_federation_keys()),
                overwrite=True,
            )
            keys.state().forget()


@dataclass
class Installation:
    app: Flask
    server: BaseWSGIServer
    address: str

    def fingerprint_words(self) -> str:
        from casework.crypto.identity import fingerprint_words

        with self.app.app_context():
            federation = keys.keyring().federation
            assert federation is not None
            return fingerprint_words(federation.fingerprint)


@contextmanager
def database(instance_dir: Path) -> Iterator[str]:
    """The installation's own database: a new PostgreSQL database (dropped afterwards) when
    PostgreSQL is configured for the tests, else a SQLite file in its folder."""
    base = any_postgres_url()
    if base is None:
        yield f"sqlite:///{instance_dir}/casework.sqlite3"
        return
    url = make_url(base)
    name = f"casework_fed_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def installation(instance_dir: Path, name: str) -> Iterator[Installation]:
    """A running installation named `name` at http://127.0.0.1:<port>, with its own
    database (PostgreSQL when the tests have it) and keys."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    with database(instance_dir) as url:
        yield from _serve(instance_dir, name, url)


def _serve(instance_dir: Path, name: str, url: str) -> Iterator[Installation]:
    from tests.conftest import build_app

    server_app = build_app(
        str(instance_dir),
        SQLALCHEMY_DATABASE_URI=url,
        REDIS_URL=None,
        FEDERATION_NAME=name,
        FEDERATION_ALLOW_LOOPBACK_HTTP=True,
    )
    server = make_server("127.0.0.1", 0, server_app, threaded=True)
    address = f"http://127.0.0.1:{server.server_port}"
    server_app.config["FEDERATION_ADDRESS"] = address
    with server_app.app_context():
        db.create_all()
    give_federation_keys(server_app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Installation(server_app, server, address)
    finally:
        server.shutdown()
        thread.join()
        with server_app.app_context():
            db.session.remove()
            db.engine.dispose()
