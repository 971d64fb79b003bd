"""The application factory: the one place that wires the core, the web layer and every
feature together (extensions, blueprints, template helpers, signal receivers, commands)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from casework.core import ROOT


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application. `config` overrides settings read from the environment."""
    from casework.core import settings, startup
    from casework.reports.settings import check_report_settings

    app = _flask_app(settings.load_settings(config))
    check_report_settings(app.config)  # a weak disclosure setting refuses to start
    startup.check_folders(app)
    startup.secure_sqlite_file(app)
    settings.derive_settings(app)
    if app.config["TRUSTED_PROXY_COUNT"]:
        n = app.config["TRUSTED_PROXY_COUNT"]
        # X-Forwarded-Host is never trusted: links are built from BASE_URL (issue 12 item 4).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=0)  # type: ignore[method-assign]
    _init_core(app)
    _init_web(app)
    _register_features(app)
    return app


def _flask_app(settings: dict[str, Any]) -> Flask:
    app = Flask(
        "casework",
        template_folder=str(ROOT / "templates"),
        instance_path=str(settings["INSTANCE_DIR"]),
        instance_relative_config=False,
    )
    app.config.update(settings)
    from casework.web.compact import Compact

    app.jinja_env.add_extension(Compact)  # templates without their indentation (decision 0111)
    return app


def _init_core(app: Flask) -> None:
    from casework.core import logs, session_store
    from casework.core.extensions import (
        babel,
        bootstrap,
        csrf,
        db,
        limiter,
        migrate,
        server_session,
    )
    from casework.encryption import keys
    from casework.jobs import api as jobs_api
    from casework.jobs import engine as jobs_engine
    from casework.web import burmese_input, dates, i18n, input_guard

    logs.init_app(app)
    input_guard.init_app(app)
    burmese_input.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(
        app, locale_selector=i18n.select_locale, timezone_selector=dates.select_time_zone
    )
    i18n.init_app(app)
    bootstrap.init_app(app)
    server_session.init_app(app)
    session_store.init_app(app)
    limiter.init_app(app)
    keys.init_app(app)
    jobs_engine.init_app(app)
    jobs_api.init_dispatch()


def _init_web(app: Flask) -> None:
    from casework.auth.loader import init_login
    from casework.core.extensions import login_manager
    from casework.web import access, assets, errors, headers, unit_of_work

    # First: its compression (an after-request hook) then runs last, on the final response.
    assets.init_app(app)
    init_login(app, login_manager)
    access.init_app(app)
    unit_of_work.init_app(app)
    headers.init_app(app)
    errors.init_app(app)


def _register_features(app: Flask) -> None:
    from casework.accounts import bp as accounts_bp
    from casework.admin import bp as admin_bp
    from casework.auth import bp as auth_bp
    from casework.cases import bp as cases_bp
    from casework.drafts import bp as drafts_bp
    from casework.federation import bp as federation_bp
    from casework.jobs import bp as jobs_bp
    from casework.links import bp as links_bp
    from casework.main import bp as main_bp
    from casework.notifications import bp as notifications_bp
    from casework.referrals import bp as referrals_bp
    from casework.referrals import hooks as referral_hooks
    from casework.reports import bp as reports_bp
    from casework.services import bp as services_bp
    from casework.transfers import bp as transfers_bp
    from casework.transfers import hooks as transfer_hooks

    for blueprint in (
        main_bp,
        auth_bp,
        accounts_bp,
        admin_bp,
        cases_bp,
        reports_bp,
        referrals_bp,
        services_bp,
        transfers_bp,
        notifications_bp,
        jobs_bp,
        federation_bp,
        drafts_bp,
        links_bp,
    ):
        app.register_blueprint(blueprint)
    referral_hooks.connect()
    transfer_hooks.connect()
    _declare_jobs()
    _register_case_panels(app)
    _register_template_helpers(app)

    import casework.models  # noqa: F401 - every model registered on the metadata

    _register_commands(app)


def _declare_jobs() -> None:
    """Every task and job the queue can run, each declared by its feature (casework/jobs/)."""
    import casework.cases.lifecycle.jobs
    import casework.drafts.jobs
    import casework.federation.delivery
    import casework.federation.jobs
    import casework.jobs.housekeeping
    import casework.jobs.runner
    import casework.jobs.sweeper
    import casework.notifications.delivery
    import casework.referrals.jobs
    import casework.services.plans.reminders  # noqa: F401


def _register_case_panels(app: Flask) -> None:
    """The case page's panels: the case feature's own, then those of features that show
    something of a case (casework/cases/panels.py)."""
    from casework.cases import panels
    from casework.links.panels import PANELS as LINK_PANELS
    from casework.referrals.panels import PANELS as REFERRAL_PANELS
    from casework.services.panels import PANELS as SERVICE_PANELS
    from casework.transfers.panels import PANELS as TRANSFER_PANELS

    panels.declare(
        app, [*panels.PANELS, *REFERRAL_PANELS, *SERVICE_PANELS, *LINK_PANELS, *TRANSFER_PANELS]
    )


def _register_template_helpers(app: Flask) -> None:
    """Every template global and filter, from each package's declaration (web/templating.py)."""
    from casework.admin import templating as admin_templating
    from casework.auth import templating as auth_templating
    from casework.cases import templating as case_templating
    from casework.drafts import templating as draft_templating
    from casework.federation import templating as federation_templating
    from casework.links import templating as link_templating
    from casework.notifications import templating as notification_templating
    from casework.referrals import display as referral_display
    from casework.services import templating as service_templating
    from casework.transfers import display as transfer_display
    from casework.web import dates, templating

    templating.register(
        app,
        globals_=[
            templating.TEMPLATE_GLOBALS,
            auth_templating.TEMPLATE_GLOBALS,
            admin_templating.TEMPLATE_GLOBALS,
            case_templating.TEMPLATE_GLOBALS,
            referral_display.TEMPLATE_GLOBALS,
            service_templating.TEMPLATE_GLOBALS,
            transfer_display.TEMPLATE_GLOBALS,
            notification_templating.TEMPLATE_GLOBALS,
            federation_templating.TEMPLATE_GLOBALS,
            draft_templating.TEMPLATE_GLOBALS,
            link_templating.TEMPLATE_GLOBALS,
        ],
        filters=[dates.TEMPLATE_FILTERS, case_templating.TEMPLATE_FILTERS],
    )


def _register_commands(app: Flask) -> None:
    """Every `flask` command; each lives with its feature."""
    from casework.admin.cli import create_admin
    from casework.audit.cli import audit_group
    from casework.backup.cli import backup_group
    from casework.cases.attachments.cli import attachments_group
    from casework.cases.lifecycle.cli import cases_group
    from casework.devdata.cli import COMMANDS as DEVDATA_COMMANDS
    from casework.encryption.cli import keys_group
    from casework.exchange.cli import htcds_group
    from casework.federation.cli import federation_group
    from casework.jobs.cli import jobs_group, worker
    from casework.referrals.cli import referrals_group
    from casework.reports.cli import release_group, reports_group

    for command in (
        create_admin,
        audit_group,
        keys_group,
        cases_group,
        attachments_group,
        release_group,
        reports_group,
        *DEVDATA_COMMANDS,
        backup_group,
        referrals_group,
        jobs_group,
        worker,
        federation_group,
        htcds_group,
    ):
        one_line_errors(command)
        app.cli.add_command(command)


def one_line_errors(command: Any) -> None:
    """An operator's mistake or a refusal ends a command with one clear line and exit status
    1, never a traceback: bad settings, key material that cannot be used, an operation's
    refusal, a file that cannot be read, the database out of reach. Anything else is a bug
    and keeps its traceback."""
    import functools

    import click

    for sub in getattr(command, "commands", {}).values():
        one_line_errors(sub)
    callback = command.callback
    if callback is None or getattr(callback, "one_line_errors", False):
        return

    @functools.wraps(callback)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except click.ClickException:
            raise
        except Exception as exc:
            message = _one_line(exc)
            if message is None:
                raise
            raise click.ClickException(message) from None

    wrapped.one_line_errors = True  # type: ignore[attr-defined]
    command.callback = wrapped


def _one_line(exc: Exception) -> str | None:
    """The line to show for an expected failure; None for anything else."""
    from sqlalchemy.exc import OperationalError

    from casework.backup.manifest import BackupError
    from casework.core.errors import OperationError
    from casework.crypto import CryptoError
    from casework.encryption.custody import CustodyError
    from config import ConfigError

    if isinstance(exc, ConfigError | CryptoError | OperationError | CustodyError | BackupError):
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, UnicodeError):
        return "A file name or value is not valid UTF-8: rename the file or fix the value."
    if isinstance(exc, OperationalError):
        # The driver's text can quote the connection string: name the setting instead.
        return "The database cannot be reached or refused the operation: check DATABASE_URL."
    if isinstance(exc, OSError):
        where = f" {exc.filename!s}" if exc.filename else ""
        return f"{exc.strerror or type(exc).__name__}:{where}".rstrip(":")
    return None
