"""Server-side sessions in Redis, with a local store while Redis is unreachable.

Sign-in must keep working when Redis is down (the rate limiter then counts in memory, see
`logs`). While Redis cannot be reached, sessions are read from and written to a local store
(files under SESSION_FILE_DIR, shared by the workers of one host; memory under test) and a
warning says so in the log, once per outage. Nothing is ever copied between the two stores:

- a session that lived in Redis cannot be read during the outage, so its holder signs in
  again (it is never resurrected from a stale copy);
- a session created during the outage ends when Redis is back (Redis is asked first again),
  so its holder signs in once more. Sign-out deletes from both stores.

Failing closed like this costs a second sign-in; it never lets an ended session come back.

A session ended while Redis could not be reached (a sign-out during an outage, or while Redis
refused writes) used to live on in Redis and work again once Redis was back (issue 13). Every
ended session id is therefore also recorded in the database (`ended_sessions`, a SHA-256 of
the id, never the id) before the stores are asked to forget it, and a session found in either
store is used only if its id is not recorded there: one primary-key lookup per request that
carries a session (measured in tests/faults/README.md). Records older than the absolute session
lifetime are purged as new ones are written: such a session has timed out anyway.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from cachelib import BaseCache, FileSystemCache, SimpleCache
from flask import Flask, current_app, g
from flask_session.base import ServerSideSession
from flask_session.defaults import Defaults
from flask_session.redis import RedisSessionInterface
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import String, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.conditional import insert_unless_present
from casework.core.db import Base, UTCDateTime, utcnow
from casework.core.extensions import db

log = logging.getLogger("casework.sessions")

RETRY_SECONDS = 5.0  # how long to skip Redis after it failed, so requests do not wait on it
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
T = TypeVar("T")


class EndedSession(Base):
    """A session id that was ended (its SHA-256): it must never be used again."""

    __tablename__ = "ended_sessions"

    sid_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


def _digest(store_id: str) -> str:
    return hashlib.sha256(store_id.encode()).hexdigest()


def _ended_row(store_id: str) -> dict[str, Any]:
    return {"sid_hash": _digest(store_id), "ended_at": utcnow()}


def record_ended_in_request(store_id: str) -> None:
    """Record `store_id` as ended in the request's own transaction (committed with the
    request): a sign-out or a new id at sign-in, decided by the view."""
    row = _ended_row(store_id)
    insert_unless_present(db.session, EndedSession.__table__, row)  # type: ignore[arg-type]
    keep = timedelta(hours=int(current_app.config["ABSOLUTE_TIMEOUT_HOURS"]))
    db.session.execute(delete(EndedSession).where(EndedSession.ended_at < row["ended_at"] - keep))
    g.setdefault("ended_session_ids", set()).add(store_id)


def record_ended(store_id: str, keep: timedelta) -> None:
    """Record `store_id` as ended in a short transaction of its own (when Flask saves the
    session, the request's transaction is over); purge records older than `keep`."""
    if store_id in g.get("ended_session_ids", ()):
        return
    now = utcnow()
    try:
        with db.engine.begin() as connection:
            insert_unless_present(connection, EndedSession.__table__, _ended_row(store_id))  # type: ignore[arg-type]
            connection.execute(delete(EndedSession).where(EndedSession.ended_at < now - keep))
    except SQLAlchemyError as error:
        # The stores still forget it; only the guarantee across a Redis outage is lost.
        log.error("sessions.end_not_recorded", extra={"error": type(error).__name__})


def was_ended(store_id: str) -> bool:
    """Whether `store_id` was ended. When the database cannot say, no: a signed-in session is
    of no use without the database anyway (the user is loaded from it on every request), and
    an anonymous one (the sign-in form's CSRF token) must keep working."""
    try:
        found = db.session.execute(
            select(EndedSession.sid_hash).where(EndedSession.sid_hash == _digest(store_id))
        ).first()
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("sessions.ended_check_failed", extra={"error": type(error).__name__})
        return False
    return found is not None


class FallbackRedisSessionInterface(RedisSessionInterface):
    """Flask-Session's Redis interface, falling back to a local cachelib store."""

    def __init__(self, app: Flask, client: Any, fallback: BaseCache, **options: Any) -> None:
        super().__init__(app, client=client, **options)
        self.fallback = fallback
        self.keep_ended = timedelta(hours=int(app.config["ABSOLUTE_TIMEOUT_HOURS"]))
        self._down_until = 0.0
        self._outage = False
        self._lock = threading.Lock()

    # -- state ----------------------------------------------------------------------------

    @property
    def redis_available(self) -> bool:
        return not self._outage

    def _use_redis(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, error: BaseException) -> None:
        with self._lock:
            self._down_until = time.monotonic() + RETRY_SECONDS
            if not self._outage:
                self._outage = True
                log.warning(
                    "sessions.redis_unavailable: keeping sessions in the local store until "
                    "Redis answers again; signed-in people must sign in again",
                    extra={"error": type(error).__name__},
                )

    def _succeeded(self) -> None:
        if self._outage:
            with self._lock:
                if self._outage:
                    self._outage = False
                    log.warning(
                        "sessions.redis_restored: sessions are kept in Redis again; "
                        "people who signed in during the outage must sign in again"
                    )

    def _call(self, in_redis: Callable[[], T], locally: Callable[[], T]) -> T:
        if self._use_redis():
            try:
                result = in_redis()
            except REDIS_DOWN as error:
                self._failed(error)
            else:
                self._succeeded()
                return result
        return locally()

    # -- storage --------------------------------------------------------------------------

    def _retrieve_session_data(self, store_id: str) -> dict[str, Any] | None:
        parent = super()._retrieve_session_data
        found = self._call(lambda: parent(store_id), lambda: self.fallback.get(store_id))
        if found is not None and was_ended(store_id):
            return None  # ended while Redis could not forget it
        return cast("dict[str, Any] | None", found)

    def regenerate(self, session: ServerSideSession) -> None:
        if session:
            record_ended_in_request(self._get_store_id(session.sid))
        super().regenerate(session)

    def _delete_session(self, store_id: str) -> None:
        record_ended(store_id, self.keep_ended)  # first: it outlives any outage of Redis
        self.fallback.delete(store_id)  # a copy from an earlier outage must not outlive this
        parent = super()._delete_session
        self._call(lambda: parent(store_id), lambda: None)

    def _upsert_session(
        self, session_lifetime: timedelta, session: ServerSideSession, store_id: str
    ) -> None:
        parent = super()._upsert_session

        def locally() -> None:
            self.fallback.set(
                store_id, dict(session), timeout=int(session_lifetime.total_seconds())
            )

        self._call(lambda: parent(session_lifetime, session, store_id), locally)


def fallback_store(app: Flask) -> BaseCache:
    if app.config["TESTING"]:
        return SimpleCache()
    return FileSystemCache(app.config["SESSION_FILE_DIR"], threshold=5000, mode=0o600)


def init_app(app: Flask) -> None:
    """Replace Flask-Session's Redis interface with the one that survives a Redis outage."""
    if app.config.get("SESSION_TYPE") != "redis":
        return
    cfg = app.config
    app.session_interface = FallbackRedisSessionInterface(
        app,
        client=cfg["SESSION_REDIS"],
        fallback=fallback_store(app),
        key_prefix=cfg.get("SESSION_KEY_PREFIX", Defaults.SESSION_KEY_PREFIX),
        use_signer=cfg.get("SESSION_USE_SIGNER", Defaults.SESSION_USE_SIGNER),
        permanent=cfg.get("SESSION_PERMANENT", Defaults.SESSION_PERMANENT),
        sid_length=cfg.get("SESSION_ID_LENGTH", Defaults.SESSION_ID_LENGTH),
        serialization_format=cfg.get(
            "SESSION_SERIALIZATION_FORMAT", Defaults.SESSION_SERIALIZATION_FORMAT
        ),
    )
