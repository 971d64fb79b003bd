"""Server-side sessions in Redis, with a copy in the database that outlives a Redis outage.

Redis holds the sessions; every host reads it first. Each session also has a copy in the
database (`session_copies`, keyed by a SHA-256 of the session id, never the id), so that a
Redis outage (or a restart that empties it) signs nobody out, on any host (decision 0180):

- the copy is written when the session's content changes, and otherwise at most once a minute
  (COPY_EVERY_SECONDS): the idle-time stamp changes on every request, and a write per request
  would cost more than the copy is worth; the idle limit seen through a copy may therefore be
  up to a minute short;
- a session is read from Redis; when Redis cannot be reached, or does not hold it (it was
  written during an outage, or Redis lost its data), from the copy; while Redis is down,
  sessions are written to the copy alone, and a warning says so in the log, once per outage;
- a copy in Redis that would end the session for idleness is checked against the database's
  copy, which is newer when the person went on working during an outage.

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

from flask import Flask, current_app, g
from flask_session.base import ServerSideSession
from flask_session.defaults import Defaults
from flask_session.redis import RedisSessionInterface
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import LargeBinary, String, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.conditional import insert_unless_present, upsert
from casework.core.db import Base, UTCDateTime, utcnow
from casework.core.extensions import db

log = logging.getLogger("casework.sessions")

RETRY_SECONDS = 5.0  # how long to skip Redis after it failed, so requests do not wait on it
COPY_EVERY_SECONDS = 60  # a session whose content did not change is copied at most this often
SEEN_AT = "seen_at"  # the idle-time stamp (casework.auth.sessions), renewed on every request
COPIED = "_copied"  # [when, content digest] of the database's last copy of the session
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


class SessionCopy(Base):
    """The database's copy of a stored session (decision 0180), keyed by a SHA-256 of its id."""

    __tablename__ = "session_copies"

    sid_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# Session keys never copied to the database: what a person typed to find someone (a name, a
# document number) lives only in Redis, for the minutes it is used, and is lost in an outage
# rather than kept in plain text in a table. Features declare their keys at import.
NOT_COPIED: set[str] = set()


def keep_out_of_copies(key: str) -> None:
    """Never write session key `key` to the database's copy."""
    NOT_COPIED.add(key)


def _content_digest(data: dict[str, Any]) -> str:
    """What the session holds, leaving out the idle-time stamp and the copy's bookkeeping."""
    content = {key: value for key, value in data.items() if key not in (SEEN_AT, COPIED)}
    return hashlib.sha256(repr(sorted(content.items())).encode()).hexdigest()[:16]


class CopyingRedisSessionInterface(RedisSessionInterface):
    """Flask-Session's Redis interface, with the database's copy when Redis cannot answer."""

    def __init__(self, app: Flask, client: Any, **options: Any) -> None:
        super().__init__(app, client=client, **options)
        self.keep_ended = timedelta(hours=int(app.config["ABSOLUTE_TIMEOUT_HOURS"]))
        self.idle_seconds = int(app.config["IDLE_TIMEOUT_MINUTES"]) * 60
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
                    "sessions.redis_unavailable: reading and writing sessions in the "
                    "database's copy until Redis answers again",
                    extra={"error": type(error).__name__},
                )

    def _succeeded(self) -> None:
        if self._outage:
            with self._lock:
                if self._outage:
                    self._outage = False
                    log.warning("sessions.redis_restored: sessions are kept in Redis again")

    def _call(self, in_redis: Callable[[], T]) -> tuple[bool, T | None]:
        """(True, result) when Redis answered; (False, None) when it could not be reached."""
        if self._use_redis():
            try:
                result = in_redis()
            except REDIS_DOWN as error:
                self._failed(error)
            else:
                self._succeeded()
                return True, result
        return False, None

    # -- the database's copy --------------------------------------------------------------

    def _read_copy(self, store_id: str) -> dict[str, Any] | None:
        try:
            row = db.session.execute(
                select(SessionCopy.data, SessionCopy.expires_at).where(
                    SessionCopy.sid_hash == _digest(store_id)
                )
            ).first()
        except SQLAlchemyError as error:
            db.session.rollback()
            log.warning("sessions.copy_unreadable", extra={"error": type(error).__name__})
            return None
        if row is None or row.expires_at <= utcnow():
            return None
        return cast("dict[str, Any]", self.serializer.decode(row.data))

    def _copy_due(self, session: ServerSideSession) -> bool:
        """Whether this save must refresh the database's copy: the content changed, or the
        copy is older than COPY_EVERY_SECONDS. When due, the copy's bookkeeping is updated in
        the session first, so Redis stores it too."""
        now = time.time()
        digest = _content_digest(session)
        copied = session.get(COPIED)
        if copied and copied[1] == digest and now - copied[0] < COPY_EVERY_SECONDS:
            return False
        session[COPIED] = [now, digest]
        return True

    def _write_copy(self, store_id: str, session: ServerSideSession, lifetime: timedelta) -> None:
        row = {
            "sid_hash": _digest(store_id),
            "data": self.serializer.encode(
                {key: value for key, value in session.items() if key not in NOT_COPIED}
            ),
            "expires_at": utcnow() + lifetime,
        }
        try:
            with db.engine.begin() as connection:
                upsert(connection, SessionCopy.__table__, row)  # type: ignore[arg-type]
                connection.execute(delete(SessionCopy).where(SessionCopy.expires_at < utcnow()))
        except SQLAlchemyError as error:
            # Redis still holds the session; only the guarantee across an outage is lost.
            log.error("sessions.copy_not_written", extra={"error": type(error).__name__})

    def _delete_copy(self, store_id: str) -> None:
        if store_id in g.get("ended_session_ids", ()):
            return  # deleted in the request's own transaction (regenerate)
        try:
            with db.engine.begin() as connection:
                connection.execute(
                    delete(SessionCopy).where(SessionCopy.sid_hash == _digest(store_id))
                )
        except SQLAlchemyError as error:
            # The id is recorded as ended already: the copy can never be used again.
            log.error("sessions.copy_not_deleted", extra={"error": type(error).__name__})

    # -- storage --------------------------------------------------------------------------

    def _retrieve_session_data(self, store_id: str) -> dict[str, Any] | None:
        parent = super()._retrieve_session_data
        answered, found = self._call(lambda: parent(store_id))
        if not answered or found is None:
            found = self._read_copy(store_id)
        elif time.time() - found.get(SEEN_AT, time.time()) > self.idle_seconds - COPY_EVERY_SECONDS:
            # Idle by Redis's copy: the person may have gone on working during an outage.
            copy = self._read_copy(store_id)
            if copy is not None and copy.get(SEEN_AT, 0) > found.get(SEEN_AT, 0):
                found = copy
        if found is not None and was_ended(store_id):
            return None  # ended while Redis could not forget it
        return cast("dict[str, Any] | None", found)

    def regenerate(self, session: ServerSideSession) -> None:
        if session:
            store_id = self._get_store_id(session.sid)
            record_ended_in_request(store_id)
            db.session.execute(delete(SessionCopy).where(SessionCopy.sid_hash == _digest(store_id)))
        super().regenerate(session)

    def _delete_session(self, store_id: str) -> None:
        record_ended(store_id, self.keep_ended)  # first: it outlives any outage of Redis
        self._delete_copy(store_id)
        parent = super()._delete_session
        self._call(lambda: parent(store_id))

    def _upsert_session(
        self, session_lifetime: timedelta, session: ServerSideSession, store_id: str
    ) -> None:
        due = self._copy_due(session)
        parent = super()._upsert_session
        answered, _ = self._call(lambda: parent(session_lifetime, session, store_id))
        # While Redis is down the copy is the only store: written on every save.
        if due or not answered:
            self._write_copy(store_id, session, session_lifetime)


def init_app(app: Flask) -> None:
    """Replace Flask-Session's Redis interface with the one that survives a Redis outage."""
    if app.config.get("SESSION_TYPE") != "redis":
        return
    cfg = app.config
    app.session_interface = CopyingRedisSessionInterface(
        app,
        client=cfg["SESSION_REDIS"],
        key_prefix=cfg.get("SESSION_KEY_PREFIX", Defaults.SESSION_KEY_PREFIX),
        use_signer=cfg.get("SESSION_USE_SIGNER", Defaults.SESSION_USE_SIGNER),
        permanent=cfg.get("SESSION_PERMANENT", Defaults.SESSION_PERMANENT),
        sid_length=cfg.get("SESSION_ID_LENGTH", Defaults.SESSION_ID_LENGTH),
        serialization_format=cfg.get(
            "SESSION_SERIALIZATION_FORMAT", Defaults.SESSION_SERIALIZATION_FORMAT
        ),
    )
