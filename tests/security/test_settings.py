"""Production refuses to start with weak settings, naming the problem (never the value)."""

from __future__ import annotations

from typing import Any

import pytest

from casework import create_app
from config import DEFAULT_SECRET_KEY, ConfigError, load_config

SHORT_KEY = "short-but-not-default-key-31chr"
assert len(SHORT_KEY) == 31

WEAK = {
    "default secret key": ({"SECRET_KEY": DEFAULT_SECRET_KEY}, "SECRET_KEY"),
    "short secret key": ({"SECRET_KEY": SHORT_KEY}, "SECRET_KEY"),
    "no secret key": ({"SECRET_KEY": ""}, "SECRET_KEY"),
    "missing key file": ({"KEY_FILE": "/nonexistent/keys.json"}, "CASEWORK_KEY_FILE"),
    "debug on": ({"DEBUG": True}, "DEBUG"),
    "sqlite": ({"SQLALCHEMY_DATABASE_URI": "sqlite:///casework.sqlite3"}, "PostgreSQL"),
    "no base url": ({"BASE_URL": ""}, "CASEWORK_BASE_URL"),
    "plain http base url": ({"BASE_URL": "http://casework.example.org"}, "CASEWORK_BASE_URL"),
}


@pytest.mark.parametrize("case", WEAK, ids=list(WEAK))
def test_production_refuses_weak_settings(production_settings: dict[str, Any], case: str) -> None:
    override, named = WEAK[case]
    with pytest.raises(ConfigError) as refused:
        create_app({**production_settings, **override})
    message = str(refused.value)
    assert named in message
    assert message.startswith("Refusing to start in production")
    if override.get("SECRET_KEY"):
        assert str(override["SECRET_KEY"]) not in message, "the message never quotes a secret"


def test_every_problem_is_named_at_once(production_settings: dict[str, Any]) -> None:
    settings = {**production_settings}
    for override, _named in WEAK.values():
        settings.update(override)
    with pytest.raises(ConfigError) as refused:
        create_app(settings)
    for _override, named in WEAK.values():
        assert named in str(refused.value)


def test_production_starts_with_good_settings(production_settings: dict[str, Any]) -> None:
    application = create_app(production_settings)
    assert application.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert application.config["SESSION_COOKIE_SECURE"] is True
    assert application.config["HSTS"] is True
    assert application.debug is False
    assert application.testing is False


def test_production_defaults_are_strict() -> None:
    production = load_config("production")
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] in {"Strict", "Lax"}
    assert production["DEBUG"] is False
    assert production["IDLE_TIMEOUT_MINUTES"] <= 30
    assert production["ABSOLUTE_TIMEOUT_HOURS"] <= 12
