"""Files on disk from before attachments moved into the database (decision 0073) follow the
database transaction: a file whose attachment is deleted or erased is removed only once the
deletion is committed (a rolled-back deletion keeps its file). Operations never commit, so
they queue the file work here and the session events carry it out. Nothing new is written to
disk; the chunks of an attachment in the database are deleted in the transaction itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from casework.encryption.storage import delete_file

_TO_DELETE = "casework_files_to_delete"


def _session(session: Any) -> Session:
    """The real session behind Flask-SQLAlchemy's scoped one."""
    return session() if callable(session) and not isinstance(session, Session) else session  # type: ignore[no-any-return]


def delete_after_commit(session: Any, storage_name: str) -> None:
    """Remove this stored file once the transaction commits."""
    _session(session).info.setdefault(_TO_DELETE, []).append(storage_name)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    for name in session.info.pop(_TO_DELETE, []):
        delete_file(name)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_TO_DELETE, None)
