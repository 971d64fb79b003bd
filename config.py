"""Settings, read from the environment.

`load_config()` picks the class from CASEWORK_ENV (development, testing, production) and
reads every override from environment variables; `create_app(config)` layers a mapping on
top. Production refuses to start with weak settings (see `check_production`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_PATH = Path(os.environ.get("CASEWORK_INSTANCE_DIR", BASE_DIR / "instance"))

DEFAULT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused in production


def _secret_key() -> str:
    """SECRET_KEY from the environment, else the file `make run` generates in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = INSTANCE_PATH / "secret_key"
    if key_file.is_file():
        return key_file.read_text().strip()
    return DEFAULT_SECRET_KEY


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        # Kept as text: `check_settings` refuses it at start with the setting's name (a
        # traceback while importing this module would name nothing).
        return value  # type: ignore[return-value]


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


class BaseConfig:
    ENV_NAME = "development"
    DEBUG = False
    TESTING = False
    SECRET_KEY = _secret_key()
    INSTANCE_DIR = str(INSTANCE_PATH)

    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_PATH / 'casework.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL", "")

    # Key material lives outside the repository and the database (issue: encryption).
    KEY_FILE = os.environ.get("CASEWORK_KEY_FILE", str(INSTANCE_PATH / "keys.json"))

    # Sessions: server side, revocable.
    IDLE_TIMEOUT_MINUTES = _env_int("IDLE_TIMEOUT_MINUTES", 15)
    ABSOLUTE_TIMEOUT_HOURS = _env_int("ABSOLUTE_TIMEOUT_HOURS", 8)
    # The warning with "Stay signed in", this many minutes before the idle timeout.
    IDLE_WARNING_MINUTES = _env_int("IDLE_WARNING_MINUTES", 2)
    # Drafts of forms (decision 0110) are kept this long after their last save, then discarded.
    DRAFT_RETENTION_HOURS = _env_int("DRAFT_RETENTION_HOURS", 7 * 24)
    SESSION_COOKIE_NAME = "casework_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_FILE_DIR = str(INSTANCE_PATH / "sessions")

    # Sign-in hardening.
    # No lock-out (decision 0057): failed sign-ins are throttled. Per address (every attempt),
    # per account (failures from browsers that never signed in to it) and per known device
    # (failures from a browser where the person signed in before: a stranger cannot use it up).
    SIGN_IN_RATE_LIMIT = os.environ.get("SIGN_IN_RATE_LIMIT", "20 per minute;200 per hour")
    ACCOUNT_RATE_LIMIT = os.environ.get("ACCOUNT_RATE_LIMIT", "10 per minute;50 per hour")
    DEVICE_RATE_LIMIT = os.environ.get("DEVICE_RATE_LIMIT", "10 per minute;50 per hour")
    # Wrong current passwords (/account/password) and codes (/account/recovery-codes) from a
    # signed-in session, per person: at the limit the session ends (issue 12 item 7).
    REAUTH_LIMIT = os.environ.get("REAUTH_LIMIT", "5 per 15 minutes")
    # Duplicate checks at registration that showed matches and saved nothing, per user; the
    # user's supervisors are alerted when one reaches it (decision 0055).
    DUPLICATE_CHECK_LIMIT = os.environ.get("DUPLICATE_CHECK_LIMIT", "10 per hour;30 per day")
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # Argon2id: RFC 9106 "low memory" profile, above the OWASP/ASVS floor (19 MiB, t=2, p=1).
    ARGON2_TIME_COST = _env_int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = _env_int("ARGON2_MEMORY_COST", 65536)
    ARGON2_PARALLELISM = _env_int("ARGON2_PARALLELISM", 4)
    TRUSTED_PROXY_COUNT = _env_int("TRUSTED_PROXY_COUNT", 0)

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the (short) session
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 20 * 1024 * 1024)
    # Database backups: never in the key file's folder (`flask backup create` refuses).
    BACKUP_DIR = os.environ.get("CASEWORK_BACKUP_DIR", str(BASE_DIR / "backups"))
    # Encrypted attachments: stored outside static/, never served directly.
    ATTACHMENT_DIR = os.environ.get("CASEWORK_ATTACHMENT_DIR", str(INSTANCE_PATH / "attachments"))
    MAX_ATTACHMENT_BYTES = _env_int("MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
    # Closed cases become due for erasure of their identifying data this many years after
    # closure (`flask --app wsgi cases erase-due`; supervisors see the list).
    RETENTION_YEARS = _env_int("RETENTION_YEARS", 7)
    # Anonymised reports: cells of 1..K-1 people are hidden (CTDC publishes from k=11);
    # published counts are randomly rounded to a multiple of the base (Stats NZ uses 3).
    REPORT_K = _env_int("REPORT_K", 10)
    REPORT_ROUNDING_BASE = _env_int("REPORT_ROUNDING_BASE", 5)
    # Differential privacy (the default for regional releases): epsilon spent by one release
    # (shared by its tables), and the budget per scope (a country, the region) and calendar
    # year of data; the synthetic data set spends its own epsilon from the same budget.
    REPORT_DP_EPSILON = _env_float("REPORT_DP_EPSILON", 1.0)
    REPORT_DP_BUDGET = _env_float("REPORT_DP_BUDGET", 6.0)
    REPORT_SYNTHETIC_EPSILON = _env_float("REPORT_SYNTHETIC_EPSILON", 0.5)
    # Who is counted: "consented" (only people with a current consent to statistics) or
    # "not_withdrawn"; the trafficking statuses victims' tables count; the countries tables
    # list one by one (casework/reports/settings.py).
    REPORT_COUNTING_RULE = os.environ.get("REPORT_COUNTING_RULE", "consented")
    REPORT_VICTIM_STATUSES = os.environ.get(
        "REPORT_VICTIM_STATUSES", "PossibleVictimOfTrafficking ActualVictimOfTrafficking"
    )
    REPORT_COUNTRIES = os.environ.get(
        "REPORT_COUNTRIES", "BD BN CN ID IN KH LA MM MY NP PH SG TH TL VN"
    )
    BABEL_DEFAULT_LOCALE = "en"
    # The languages wanted, in the picker's order; each is offered only once its compiled
    # catalogue translates every string (casework/web/i18n.py).
    LANGUAGES = ("en", "th", "vi", "id", "km", "my", "fil", "ms")
    # Tests only: offer every wanted language whatever its catalogue's state (the tests of
    # language choice must not depend on catalogues catching up with new strings). Never set
    # in a deployment.
    OFFER_INCOMPLETE_LANGUAGES = False
    PAGE_SIZE = 25
    BOOTSTRAP_SERVE_LOCAL = True
    TOTP_ISSUER = os.environ.get("TOTP_ISSUER", "Casework")
    HSTS = False
    # Referrals: a pending referral with no answer after this many days is expired (shown
    # as expired at once; `flask referrals expire` records it and tells the sender).
    REFERRAL_EXPIRY_DAYS = _env_int("REFERRAL_EXPIRY_DAYS", 14)
    # Every absolute link (e-mails: notifications, invitations, resets) is built from this, the
    # address people open Casework at; never from a request's Host or X-Forwarded-Host.
    # Production refuses to start without it (https://...).
    BASE_URL = os.environ.get("CASEWORK_BASE_URL", "")
    # E-mail: SMTP when MAIL_SERVER is set, else written to the log ("console") in
    # development. E-mails carry a case reference and a link, never personal data.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _env_int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") not in {"0", "false", "no"}
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") in {"1", "true", "yes"}
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "casework@localhost")
    MAIL_TIMEOUT_SECONDS = _env_int("MAIL_TIMEOUT_SECONDS", 10)
    # E-mails go out through the job queue: a failed attempt is tried again after 30 s, then
    # 1, 2, 4 ... minutes (about 2 hours in all over 8 attempts), never slowing a request.
    MAIL_MAX_ATTEMPTS = _env_int("MAIL_MAX_ATTEMPTS", 8)
    MAIL_RETRY_SECONDS = _env_float("MAIL_RETRY_SECONDS", 30.0)
    # Jobs (decision 0150): "in-process" runs the queue's worker threads inside the web
    # process (development: nothing else to start); "worker" leaves the work to
    # `flask --app wsgi worker` processes (production); "eager" runs it at once (tests).
    JOBS_MODE = os.environ.get("JOBS_MODE", "in-process")
    # Where queued messages wait: empty = beside the database (a SQLite file in the instance
    # folder, or Huey's tables in the PostgreSQL database); or redis://..., or "memory".
    JOBS_BROKER_URL = os.environ.get("JOBS_BROKER_URL", "")
    JOBS_WORKER_THREADS = _env_int("JOBS_WORKER_THREADS", 2)
    # A running job's claim; it is renewed at each checkpoint. Past it, the worker is taken
    # for dead and the sweeper queues the job again (it carries on from its last checkpoint).
    JOBS_LEASE_SECONDS = _env_int("JOBS_LEASE_SECONDS", 600)
    # Queued work not taken after this long is handed to the queue again (a lost hand-over).
    JOBS_REDISPATCH_SECONDS = _env_int("JOBS_REDISPATCH_SECONDS", 300)
    # Daily jobs (referral expiry, erasure of due cases...) start at this hour, UTC.
    JOBS_DAILY_HOUR = _env_int("JOBS_DAILY_HOUR", 2)
    # Federation (decision 0170): this installation's name and the HTTPS address peers reach
    # it at (both appear in its signed identity document). Empty name: federation is off.
    FEDERATION_NAME = os.environ.get("FEDERATION_NAME", "")
    FEDERATION_ADDRESS = os.environ.get("FEDERATION_ADDRESS", "")
    # Peers are reached over HTTPS only; plain http:// is accepted for loopback addresses in
    # tests and demos (FEDERATION_ALLOW_LOOPBACK_HTTP=1).
    FEDERATION_ALLOW_LOOPBACK_HTTP = os.environ.get("FEDERATION_ALLOW_LOOPBACK_HTTP", "0") in {
        "1",
        "true",
        "yes",
    }
    FEDERATION_TIMEOUT_SECONDS = _env_float("FEDERATION_TIMEOUT_SECONDS", 10.0)
    # A message not applied within this many hours of being sent is refused as expired.
    FEDERATION_MESSAGE_TTL_HOURS = _env_float("FEDERATION_MESSAGE_TTL_HOURS", 72.0)
    # Tolerance for the installations' clocks (sent "in the future", expiry).
    FEDERATION_CLOCK_SKEW_SECONDS = _env_int("FEDERATION_CLOCK_SKEW_SECONDS", 300)
    # Delivery: tried again after 30 s, 1, 2, 4 ... minutes (about 8 hours over 10 attempts);
    # then a dead letter an administrator can send again.
    FEDERATION_MAX_ATTEMPTS = _env_int("FEDERATION_MAX_ATTEMPTS", 10)
    FEDERATION_RETRY_SECONDS = _env_float("FEDERATION_RETRY_SECONDS", 30.0)
    # A sealed message, files included; MAX_CONTENT_LENGTH caps every request as well.
    FEDERATION_MAX_MESSAGE_BYTES = _env_int("FEDERATION_MAX_MESSAGE_BYTES", 16 * 1024 * 1024)
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"
    BASE_URL = os.environ.get("CASEWORK_BASE_URL", "http://127.0.0.1:5000")


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    # The ASVS floor, so the suite stays quick while using the real algorithm.
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19456
    ARGON2_PARALLELISM = 1
    MAIL_BACKEND = "memory"  # tests read app.extensions["casework_mail_sent"]
    BASE_URL = "https://casework.test"
    JOBS_MODE = "eager"  # jobs and deliveries run at once, after the commit


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    JOBS_MODE = os.environ.get("JOBS_MODE", "worker")
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-casework_session"
    SESSION_COOKIE_SAMESITE = "Strict"
    HSTS = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(env_name: str | None = None) -> dict[str, Any]:
    """The settings for CASEWORK_ENV (or `env_name`) as a plain dict."""
    name = env_name or os.environ.get("CASEWORK_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"CASEWORK_ENV must be one of {sorted(CONFIGS)}, not {name!r}")
    cls = CONFIGS[name]
    return {key: getattr(cls, key) for key in dir(cls) if key.isupper()}


class ConfigError(RuntimeError):
    """Settings that must not be used to start the application."""


# Whole-number settings with the range that makes sense; anything outside refuses to start
# (RETENTION_YEARS=-5 made every closed case due for erasure).
SETTING_RANGES: dict[str, tuple[int, int]] = {
    "RETENTION_YEARS": (1, 100),
    "IDLE_TIMEOUT_MINUTES": (1, 24 * 60),
    "ABSOLUTE_TIMEOUT_HOURS": (1, 7 * 24),
    "IDLE_WARNING_MINUTES": (1, 60),
    "DRAFT_RETENTION_HOURS": (1, 30 * 24),
    "LOCKOUT_THRESHOLD": (1, 1000),
    "LOCKOUT_MINUTES": (1, 7 * 24 * 60),
    "REFERRAL_EXPIRY_DAYS": (1, 365),
}


def check_settings(settings: dict[str, Any]) -> None:
    """Refuse settings no installation can mean, in every environment: a whole-number setting
    that is not a whole number, or one outside its range. The message names the setting."""
    problems = []
    for name, default in vars(BaseConfig).items():
        if not name.isupper() or isinstance(default, bool) or not isinstance(default, int):
            continue
        value = settings.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"{name} must be a whole number")
        elif name in SETTING_RANGES:
            low, high = SETTING_RANGES[name]
            if not low <= value <= high:
                problems.append(f"{name} must be between {low} and {high}, not {value}")
    if problems:
        raise ConfigError("Refusing to start: " + "; ".join(problems))


def check_production(settings: dict[str, Any]) -> None:
    """Refuse weak production settings; the message names the setting, never a value."""
    problems = []
    secret = settings.get("SECRET_KEY") or ""
    if secret == DEFAULT_SECRET_KEY or len(secret) < 32:
        problems.append("SECRET_KEY is missing, the default, or shorter than 32 characters")
    if settings.get("DEBUG"):
        problems.append("DEBUG must be off")
    key_file = Path(settings["KEY_FILE"]) if settings.get("KEY_FILE") else None
    if os.environ.get("CASEWORK_KEYS"):
        pass
    elif key_file is not None and key_file.exists() and not key_file.is_file():
        problems.append(f"key file {str(key_file)!r} is not a regular file")
    elif key_file is None or not key_file.is_file():
        problems.append("no key material: set CASEWORK_KEY_FILE or CASEWORK_KEYS")
    if int(settings.get("REPORT_K", 0)) < 5:
        problems.append("REPORT_K must be at least 5")
    if settings.get("JOBS_MODE") == "eager":
        problems.append("JOBS_MODE 'eager' is for tests: use 'worker' (and run `flask worker`)")
    if str(settings.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        problems.append("DATABASE_URL must point at PostgreSQL in production")
    base_url = urlsplit(str(settings.get("BASE_URL") or ""))
    if base_url.scheme != "https" or not base_url.hostname:
        problems.append(
            "CASEWORK_BASE_URL must be set to the https:// address people open Casework at"
        )
    if problems:
        raise ConfigError("Refusing to start in production: " + "; ".join(problems))
