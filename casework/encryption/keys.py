"""The application's keyring: found through the current app at use, reloaded when the key
file changes (so `keys rotate` is safe while the app serves), never bound at import."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app

from casework.crypto import (
    BlindIndexer,
    CryptoError,
    Keyring,
    KeyringError,
    LocalKeyWrapper,
    load_keyring_env,
    load_keyring_file,
)

ENV_VARIABLE = "CASEWORK_KEYS"
RECHECK_SECONDS = 2.0


@dataclass
class KeyringState:
    path: str
    env_value: str | None
    keyring: Keyring | None = None
    mtime: float | None = None
    checked_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    # (keyring, when, problems) of the last check against stored data keys (`/health`).
    checked: tuple[Keyring, float, list[str]] | None = None
    _derived: tuple[Keyring, LocalKeyWrapper, tuple[BlindIndexer, ...]] | None = None

    def derived(self) -> tuple[LocalKeyWrapper, tuple[BlindIndexer, ...]]:
        """The wrapper and the indexers of the current keyring, the one new indexes are
        written with first (rebuilt only when the keyring changes)."""
        ring = self.current()
        cached = self._derived
        if cached is None or cached[0] is not ring:
            indexers = tuple(BlindIndexer(key) for key in ring.search_index_keys)
            cached = (ring, LocalKeyWrapper(ring), indexers)
            self._derived = cached
        return cached[1], cached[2]

    def load(self) -> Keyring:
        if self.env_value:
            return load_keyring_env(self.env_value)
        if not Path(self.path).is_file():
            raise KeyringError(
                f"no key file at {self.path!r}: data already stored needs the key file it was "
                "encrypted with (restore it from where you keep it, or set CASEWORK_KEY_FILE); "
                "only a new, empty installation starts with `flask --app wsgi keys generate`"
            )
        return load_keyring_file(self.path)

    def current(self) -> Keyring:
        """The keyring, re-read when the key file has changed since it was loaded."""
        now = time.monotonic()
        if self.keyring is not None and (self.env_value or now - self.checked_at < RECHECK_SECONDS):
            return self.keyring
        with self.lock:
            mtime = None if self.env_value else _mtime(self.path)
            if self.keyring is None or mtime != self.mtime:
                self.keyring = self.load()
                self.mtime = mtime
            self.checked_at = now
            return self.keyring

    def forget(self) -> None:
        """Drop the cached keyring (after the CLI rewrote the key file)."""
        with self.lock:
            self.keyring, self.mtime, self.checked_at = None, None, 0.0


def _mtime(path: str) -> float | None:
    try:
        return os.stat(path).st_mtime_ns / 1e9
    except FileNotFoundError:
        return None


def state(app: Flask | None = None) -> KeyringState:
    target = app or current_app
    return target.extensions["casework_keys"]  # type: ignore[no-any-return]


def keyring() -> Keyring:
    return state().current()


def wrapper() -> LocalKeyWrapper:
    return state().derived()[0]


def indexer() -> BlindIndexer:
    """The indexer new blind indexes are written with."""
    return state().derived()[1][0]


def search_indexers() -> tuple[BlindIndexer, ...]:
    """Every indexer a search looks up: two while a `keys rotate-index` is unfinished (the
    old and the new index key), so that no one is unfindable during it."""
    return state().derived()[1]


def check_keys_match_database() -> list[str]:
    """Problems that make stored data unreadable with this keyring: a key-encryption key that
    data keys need is missing, or a key of that id is not the one that wrapped them (the wrong
    key file). One data key per key id is tried. Names key ids and counts, never key bytes."""
    from sqlalchemy import func, inspect, select

    from casework.core.extensions import db
    from casework.encryption.models import DataKey

    if not inspect(db.engine).has_table(DataKey.__tablename__):
        return []  # not migrated yet (`flask db upgrade` itself builds the app)
    ring = keyring()
    wrap = wrapper()
    problems = []
    rows = db.session.execute(
        select(DataKey.kek_id, func.count())
        .where(DataKey.wrapped.is_not(None))
        .group_by(DataKey.kek_id)
    ).all()
    for kek_id, count in rows:
        if kek_id not in ring.key_ids:
            problems.append(f"key {kek_id!r}, which {count} data keys need, is not in the keyring")
            continue
        sample = db.session.scalars(
            select(DataKey).where(DataKey.kek_id == kek_id, DataKey.wrapped.is_not(None)).limit(1)
        ).first()
        if sample is None or sample.wrapped is None:
            continue  # shredded since the count
        try:
            wrap.unwrap(sample.wrapped, sample.context())
        except CryptoError:
            problems.append(
                f"key {kek_id!r} in the keyring does not open the data keys it wrapped "
                "(a key file from another installation?)"
            )
    db.session.rollback()
    return problems


HEALTH_RECHECK_SECONDS = 30.0


def keyring_problems() -> list[str]:
    """Why stored data cannot be read with the key file now (empty: it can): the key file
    cannot be loaded, or a key data keys need is missing or not the one that wrapped them.
    Checked against the database at most every HEALTH_RECHECK_SECONDS per keyring."""
    current = state()
    try:
        ring = current.current()
    except KeyringError as exc:
        return [str(exc)]
    now = time.monotonic()
    checked = current.checked
    if checked is not None and checked[0] is ring and now - checked[1] < HEALTH_RECHECK_SECONDS:
        return checked[2]
    problems = check_keys_match_database()
    current.checked = (ring, now, problems)
    return problems


def init_app(app: Flask) -> None:
    app.extensions["casework_keys"] = KeyringState(
        path=app.config["KEY_FILE"], env_value=os.environ.get(ENV_VARIABLE) or None
    )
    if app.config["ENV_NAME"] == "production":
        # Refuse to start without usable keys; the message names the problem, not the key.
        from sqlalchemy.exc import OperationalError

        from config import ConfigError

        try:
            with app.app_context():
                state(app).current()
                problems = check_keys_match_database()
        except KeyringError as exc:
            raise ConfigError(f"Refusing to start in production: {exc}") from None
        except OperationalError:
            # The database is not reachable yet: the keys themselves loaded; the match with
            # stored data keys is checked again by `keys status`.
            app.logger.warning("keys.database_check_skipped")
            problems = []
        if problems:
            raise ConfigError("Refusing to start in production: " + "; ".join(problems))
    report_unfinished_operations(app)


def report_unfinished_operations(app: Flask) -> None:
    """Say at start, in the log, that a key operation was interrupted (it is resumed by running
    the same command again): left alone, part of the data stays under an older key."""
    from sqlalchemy.exc import SQLAlchemyError

    from casework.encryption import custody

    try:
        with app.app_context():
            lines = custody.check_journal()
    except SQLAlchemyError:
        return  # the database is not reachable yet: `keys status` reports it later
    for line in lines:
        app.logger.warning("keys.unfinished_operation: %s", line)
