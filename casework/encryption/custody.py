"""Key custody: every change to the key file is exclusive, journaled and cannot drop a key
that stored data still needs.

The audit (issue 13) ran two `keys rotate` at once: each read the key file, each added its own
new key and wrote the file back, and the second write removed the first one's key after data
keys had been rewrapped under it: every data key became unreadable. Three rules now hold for
`keys rotate`, `rotate-index` and `retire`:

1. **One at a time.** `exclusive(path)` takes an exclusive lock on `<key file>.lock` (flock,
   one host) and, on PostgreSQL, a session advisory lock (every host on the database) for the
   whole operation, and re-reads the key file under it. A second operator is refused at once
   with a one-line message; nothing is read before the lock.
2. **Never drop a needed key.** `save()` writes through a new file, fsynced and renamed
   (`write_keyring_file`), and only after checking that the new keyring keeps every key of the
   file on disk (except the one `retire` checked) and every key a stored data key names.
3. **A journal.** `key_operations` records each operation's start (and the key it made) and its
   end. An unfinished one is reported at start (`check_journal`) and by `keys status`, and the
   same command resumes it instead of making yet another key.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, String, inspect, select, text
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.db import Base, UTCDateTime, UUIDPrimaryKey, utcnow
from casework.core.extensions import db
from casework.crypto import Keyring, KeyringError, load_keyring_file, write_keyring_file
from casework.encryption.models import DataKey

log = logging.getLogger("casework.keys")

ADVISORY_KEY = zlib.crc32(b"casework key custody")  # one number every host agrees on


class CustodyError(Exception):
    """A key operation refused: the message is one line for the operator (no key bytes)."""


class KeyOperation(UUIDPrimaryKey, Base):
    """One key operation: what, started when and where, which key it made, finished when."""

    __tablename__ = "key_operations"

    kind: Mapped[str] = mapped_column(String(20))  # rotate, rotate_index, retire
    key_id: Mapped[str | None] = mapped_column(String(64))
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    def describe(self) -> str:
        made = f" (key {self.key_id})" if self.key_id else ""
        started = self.started_at.strftime("%Y-%m-%d %H:%M UTC")
        return f"`keys {self.kind.replace('_', '-')}`{made} started {started} on {self.host}"


@dataclass
class Custody:
    """What an operation holds while it runs: the key file's path and its keyring as read
    under the lock."""

    path: Path
    keyring: Keyring


def _lock_file(path: Path) -> int:
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise CustodyError(
            "Another key operation is running on this host (the key file is locked): "
            "wait for it to finish, then run the command again."
        ) from None
    return fd


def _advisory_lock() -> Connection | None:
    """A PostgreSQL session advisory lock on a connection of its own (held across the
    operation's many commits); None on SQLite, where the file lock is the whole story."""
    if db.engine.dialect.name != "postgresql":
        return None
    connection = db.engine.connect()
    taken = connection.execute(
        text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
    ).scalar_one()
    connection.commit()
    if not taken:
        connection.close()
        raise CustodyError(
            "Another key operation is running on another host (database advisory lock held): "
            "wait for it to finish, then run the command again."
        )
    return connection


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[Custody]:
    """Hold the key file for one operation (see the module's docstring)."""
    fd = _lock_file(path)
    connection = None
    try:
        connection = _advisory_lock()
        try:
            ring = load_keyring_file(path)
        except KeyringError as exc:
            raise CustodyError(f"{exc}.") from None
        yield Custody(path, ring)
    finally:
        if connection is not None:
            with contextlib.suppress(Exception):  # closing the connection releases it anyway
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                connection.commit()
            connection.close()
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def needed_key_ids() -> set[str]:
    """Every key-encryption key a stored (not shredded) data key names."""
    rows = db.session.scalars(
        select(DataKey.kek_id).where(DataKey.wrapped.is_not(None)).group_by(DataKey.kek_id)
    )
    return set(rows)


def save(custody: Custody, new: Keyring, *, dropping: str | None = None) -> None:
    """Write `new` as the key file (new file, fsync, rename), refusing to lose a key: every key
    of the file read under the lock stays (but `dropping`, checked by the caller), and every
    key a stored data key names stays."""
    lost = set(custody.keyring.key_ids) - set(new.key_ids) - {dropping}
    if lost:
        raise CustodyError(f"Refusing to write a key file without key(s) {sorted(lost)}.")
    missing = needed_key_ids() - set(new.key_ids)
    db.session.rollback()
    if missing:
        raise CustodyError(
            f"Refusing to write a key file without key(s) {sorted(missing)}: stored data "
            "keys still need them."
        )
    write_keyring_file(custody.path, new, overwrite=True)
    custody.keyring = new


def unfinished(kind: str | None = None) -> list[KeyOperation]:
    """Key operations started and never finished (oldest first)."""
    query = select(KeyOperation).where(KeyOperation.finished_at.is_(None))
    if kind is not None:
        query = query.where(KeyOperation.kind == kind)
    return list(db.session.scalars(query.order_by(KeyOperation.started_at)))


def start(kind: str, key_id: str | None = None) -> uuid.UUID:
    """Journal the start of an operation (committed at once)."""
    operation = KeyOperation(kind=kind, key_id=key_id, host=socket.gethostname(), pid=os.getpid())
    db.session.add(operation)
    db.session.commit()
    return operation.id


def note_key(operation_id: uuid.UUID, key_id: str) -> None:
    operation = db.session.get_one(KeyOperation, operation_id)
    operation.key_id = key_id
    db.session.commit()


def finish(operation_id: uuid.UUID) -> None:
    operation = db.session.get_one(KeyOperation, operation_id)
    operation.finished_at = utcnow()
    db.session.commit()


def check_journal() -> list[str]:
    """Unfinished key operations, one line each (at start and in `keys status`)."""
    if not inspect(db.engine).has_table(KeyOperation.__tablename__):
        return []
    lines = [
        f"{operation.describe()} did not finish: run the same command again to resume it."
        for operation in unfinished()
    ]
    db.session.rollback()
    return lines
