"""Fixtures for apps other than the session's: low limits, test-only routes, production."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from casework import create_app
from casework.core.extensions import db
from tests.conftest import FreshContextClient, build_app
from tests.services import postgres_url, redis_url

# Production refuses SQLite. The production app's tests never touch the database, so on a
# laptop without PostgreSQL an address that is never connected to is enough.
UNUSED_POSTGRES = "postgresql+psycopg://casework@127.0.0.1:9/never_connected"


@pytest.fixture
def extra_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Flask]]:
    """`extra_app(SETTING=value)`: a separately built app with its own instance folder.

    On SQLite it has its own database file; on PostgreSQL it shares the test database, which
    the session fixtures empty after each test. Routes may be added before its first request.
    """
    built: list[Flask] = []

    def _build(**overrides: object) -> Flask:
        application = build_app(str(tmp_path_factory.mktemp("extra")), **overrides)
        with application.app_context():
            db.create_all()
        built.append(application)
        return application

    yield _build
    for application in built:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def write_key_file(path: Path) -> None:
    """A key file production accepts (mode 0600)."""
    from casework.crypto import generate_keyring, write_keyring_file

    write_keyring_file(path, generate_keyring())


@pytest.fixture
def production_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.delenv("CASEWORK_KEYS", raising=False)
    key_file = tmp_path / "keys.json"
    write_key_file(key_file)
    return {
        "ENV_NAME": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "KEY_FILE": str(key_file),
        "INSTANCE_DIR": str(tmp_path),
        "SESSION_FILE_DIR": str(tmp_path / "sessions"),
        "SQLALCHEMY_DATABASE_URI": postgres_url() or UNUSED_POSTGRES,
        "REDIS_URL": redis_url() or "",
        "DEBUG": False,
        "BASE_URL": "https://casework.example.org",
    }


@pytest.fixture
def production_app(production_settings: dict[str, Any]) -> Iterator[Flask]:
    application = create_app(production_settings)
    application.test_client_class = FreshContextClient
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
