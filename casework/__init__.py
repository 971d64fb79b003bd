"""Casework: case management for agencies that assist victims of human trafficking."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import check_production, load_config

__version__ = "0.1.0"

ROOT = Path(__file__).resolve().parent.parent
REDIS_TIMEOUTS = {"socket_connect_timeout": 1.0, "socket_timeout": 2.0}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application. `config` overrides settings read from the environment."""
    overrides = dict(config or {})
    env_name = overrides.get("ENV_NAME") or os.environ.get("CASEWORK_ENV", "development")
    settings = load_config(env_name)
    settings.update(overrides)
    if settings["ENV_NAME"] == "production":
        check_production(settings)

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(settings["INSTANCE_DIR"]),
        instance_relative_config=False,
    )
    app.config.update(settings)
    from casework import startup

    startup.check_folders(app)
    _derive_settings(app)

    if app.config["TRUSTED_PROXY_COUNT"]:
        n = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    from casework import (
        access,
        errors,
        headers,
        input_guard,
        logs,
        navigation,
        session_store,
        unit_of_work,
    )
    from casework.extensions import (
        babel,
        bootstrap,
        csrf,
        db,
        limiter,
        login_manager,
        migrate,
        server_session,
    )
    from casework.i18n import select_locale

    logs.init_app(app)
    input_guard.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    server_session.init_app(app)
    session_store.init_app(app)
    limiter.init_app(app)

    from casework.auth.loader import init_login
    from casework.encryption import keys

    keys.init_app(app)

    init_login(app, login_manager)
    access.init_app(app)
    navigation.init_app(app)
    unit_of_work.init_app(app)
    headers.init_app(app)
    errors.init_app(app)

    from casework.admin import bp as admin_bp
    from casework.auth import bp as auth_bp
    from casework.case_records import bp as case_records_bp
    from casework.cases import bp as cases_bp
    from casework.main import bp as main_bp
    from casework.reports import bp as reports_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(case_records_bp)
    app.register_blueprint(reports_bp)

    from casework.notifications import bp as notifications_bp
    from casework.notifications.mailer import init_mail
    from casework.referrals import bp as referrals_bp
    from casework.services import bp as services_bp

    app.register_blueprint(referrals_bp)
    app.register_blueprint(services_bp)
    app.register_blueprint(notifications_bp)

    from casework.referrals import hooks as referral_hooks

    referral_hooks.connect()
    init_mail(app)

    import casework.models  # noqa: F401 - every model registered on the metadata
    from casework.cli import register_cli

    register_cli(app)
    app.jinja_env.globals["casework_version"] = __version__
    return app


def _derive_settings(app: Flask) -> None:
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
        # Short timeouts: when Redis is unreachable, sessions and rate limits fall back to
        # local stores (session_store, the limiter's in-memory fallback) instead of waiting.
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
