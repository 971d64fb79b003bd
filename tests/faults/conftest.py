"""Fixtures for fault tests: apps of their own, the application's log, free ports."""

from __future__ import annotations

import io
import logging
import socket
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from casework.core.extensions import db, limiter
from tests.conftest import build_app
from tests.security.conftest import production_settings  # noqa: F401 - shared fixture


@pytest.fixture
def own_app(tmp_path_factory: pytest.TempPathFactory, app: Flask) -> Iterator[Callable[..., Flask]]:
    """`own_app(SETTING=value)`: an app with its own instance folder, database tables created.

    The rate limiter is one object shared by every app: afterwards it is bound to the
    session's app again, with its storage marked alive, so later tests count as before.
    """
    built: list[Flask] = []

    def _build(**overrides: object) -> Flask:
        # Errors are answered as in production (the test client would re-raise them).
        settings = {"PROPAGATE_EXCEPTIONS": False, **overrides}
        application = build_app(str(tmp_path_factory.mktemp("fault")), **settings)
        with application.app_context():
            db.create_all()
        built.append(application)
        return application

    yield _build
    for application in built:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
    limiter.init_app(app)
    limiter._storage_dead = False


@pytest.fixture
def app_log() -> Iterator[Callable[[], io.StringIO]]:
    """`stream = app_log()`, after building the app: from then on, everything the app's own
    log handlers write (JSON lines, normally on stderr) goes to `stream`."""
    restore: list[tuple[logging.StreamHandler[io.StringIO], object]] = []

    def _capture() -> io.StringIO:
        stream = io.StringIO()
        for name in ("casework", "flask-limiter"):
            for handler in logging.getLogger(name).handlers:
                if type(handler) is logging.StreamHandler:
                    restore.append((handler, handler.setStream(stream)))
        assert restore, "the app configured no log handler"
        return stream

    yield _capture
    for handler, previous in reversed(restore):
        handler.setStream(previous)  # type: ignore[arg-type]


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on (just now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
