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
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar, cast

from cachelib import BaseCache, FileSystemCache, SimpleCache
from flask import Flask
from flask_session.base import ServerSideSession
from flask_session.defaults import Defaults
from flask_session.redis import RedisSessionInterface
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("casework.sessions")

RETRY_SECONDS = 5.0  # how long to skip Redis after it failed, so requests do not wait on it
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
T = TypeVar("T")


class FallbackRedisSessionInterface(RedisSessionInterface):
    """Flask-Session's Redis interface, falling back to a local cachelib store."""

    def __init__(self, app: Flask, client: Any, fallback: BaseCache, **options: Any) -> None:
        super().__init__(app, client=client, **options)
        self.fallback = fallback
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
        return cast("dict[str, Any] | None", found)

    def _delete_session(self, store_id: str) -> None:
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
