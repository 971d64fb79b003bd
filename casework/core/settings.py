"""Settings: read from the environment (the top-level `config` module), overridden by the
mapping given to `create_app`, then completed with what follows from them (sessions, rate
limits, the database driver)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask

from config import check_production, check_settings, load_config

REDIS_TIMEOUTS = {"socket_connect_timeout": 1.0, "socket_timeout": 2.0}


def load_settings(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The environment's settings with `overrides` on top; production refuses weak ones."""
    extra = dict(overrides or {})
    env_name = extra.get("ENV_NAME") or os.environ.get("CASEWORK_ENV", "development")
    settings = load_config(env_name)
    settings.update(extra)
    check_settings(settings)
    if settings["ENV_NAME"] == "production":
        check_production(settings)
    return settings


def derive_settings(app: Flask) -> None:
    cfg = app.config
    cfg["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=cfg["IDLE_TIMEOUT_MINUTES"])
    cfg["SESSION_PERMANENT"] = False  # the cookie ends with the browser; storage has a TTL
    cfg["SESSION_REFRESH_EACH_REQUEST"] = True
    cfg["SESSION_USE_SIGNER"] = False
    cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **cfg.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        "hide_parameters": True,  # SQL errors must not quote personal data into logs
    }
    redis_url = cfg.get("REDIS_URL")
    if redis_url and "SESSION_TYPE" not in cfg:
        import redis

        cfg["SESSION_TYPE"] = "redis"
        # Short timeouts: when Redis is unreachable, sessions go on in the database's copy
        # (session_store) and rate limits in memory (the limiter's fallback) without waiting.
        cfg["SESSION_REDIS"] = redis.from_url(redis_url, **REDIS_TIMEOUTS)
    elif "SESSION_TYPE" not in cfg:
        from cachelib import FileSystemCache, SimpleCache

        cfg["SESSION_TYPE"] = "cachelib"
        cfg["SESSION_CACHELIB"] = (
            SimpleCache()
            if cfg["TESTING"]
            else FileSystemCache(cfg["SESSION_FILE_DIR"], threshold=5000, mode=0o600)
        )
    cfg.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    if cfg["RATELIMIT_STORAGE_URI"].startswith("redis"):
        cfg.setdefault("RATELIMIT_STORAGE_OPTIONS", dict(REDIS_TIMEOUTS))
    cfg["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    cfg["RATELIMIT_KEY_PREFIX"] = "casework"
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("postgresql://"):
        cfg["SQLALCHEMY_DATABASE_URI"] = cfg["SQLALCHEMY_DATABASE_URI"].replace(
            "postgresql://", "postgresql+psycopg://", 1
        )
