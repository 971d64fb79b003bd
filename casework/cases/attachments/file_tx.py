"""Stored files follow the database transaction.

A file written for a new attachment is removed again if the request rolls back (no orphan
ciphertext on disk); a file whose attachment is deleted or erased is removed only once the
deletion is committed (a rolled-back deletion keeps its file). Operations never commit, so
they queue the file work here and the session events carry it out.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from casework.encryption.storage import delete_file

_WRITTEN = "casework_files_written"
_TO_DELETE = "casework_files_to_delete"


def _session(session: Any) -> Session:
    """The real session behind Flask-SQLAlchemy's scoped one."""
    return session() if callable(session) and not isinstance(session, Session) else session  # type: ignore[no-any-return]


def written(session: Any, storage_name: str) -> None:
    """A file was stored in this transaction: remove it if the transaction rolls back."""
    _session(session).info.setdefault(_WRITTEN, []).append(storage_name)


def delete_after_commit(session: Any, storage_name: str) -> None:
    """Remove this stored file once the transaction commits."""
    _session(session).info.setdefault(_TO_DELETE, []).append(storage_name)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    for name in session.info.pop(_TO_DELETE, []):
        delete_file(name)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_TO_DELETE, None)
    for name in session.info.pop(_WRITTEN, []):
        delete_file(name)
