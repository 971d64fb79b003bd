"""Moving attachments stored on disk into the database (`flask attachments migrate`).

Resumable and idempotent: each attachment goes through three states, and a run picks up each
one where it is, whatever point an earlier run was killed at.

1. `storage_name` set, no chunks: its file's pieces are copied as they are (no key needed:
   the file is already the encrypted format, `encryption.storage.file_pieces`) in a
   savepoint, and the batch is committed.
2. `storage_name` set, chunks committed: the chunks are read back and compared with the file
   (SHA-256 of the pieces); only then is the file removed, and `storage_name` cleared.
3. `storage_name` None: in the database only; nothing to do.

A file is removed only after its chunks are committed and read back identical. An attachment
whose file is missing (and is not in the database) or is not one of ours is named (ids only)
and left as it is; the command then exits non-zero.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError as ConstraintError

from casework.cases.attachments.store import attachment_store
from casework.cases.models import Attachment, AttachmentChunk
from casework.core.extensions import db
from casework.crypto import IntegrityError, is_storage_name
from casework.encryption.storage import delete_file, file_pieces, storage_dir

BATCH = 50


@dataclass
class MoveReport:
    copied: int = 0  # files copied into the database by this run
    files_removed: int = 0  # files removed after their chunks were committed and read back
    missing: list[str] = field(default_factory=list)  # attachment ids: no file, no chunks
    unreadable: list[str] = field(default_factory=list)  # attachment ids: not our format
    mismatched: list[str] = field(default_factory=list)  # read back different: file kept
    orphan_chunks_removed: int = 0
    remaining: int = 0  # attachments still on disk after the run

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unreadable or self.mismatched)


def _digest(pieces: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for piece in pieces:
        digest.update(len(piece).to_bytes(4, "big"))
        digest.update(piece)
    return digest.hexdigest()


def on_disk() -> list[uuid.UUID]:
    """Attachments that still name a file on disk."""
    query = select(Attachment.id).where(Attachment.storage_name.is_not(None))
    return list(db.session.scalars(query.order_by(Attachment.id)))


def _copy(report: MoveReport, attachment_id: uuid.UUID, storage_name: str) -> None:
    store = attachment_store()
    if store.exists(attachment_id):
        return  # state 2: copied by an earlier run
    try:
        with db.session.begin_nested():  # a file that fails half-way leaves no chunk
            store.put(attachment_id, file_pieces(storage_name))
    except FileNotFoundError:
        report.missing.append(str(attachment_id))
    except IntegrityError:
        report.unreadable.append(str(attachment_id))
    except ConstraintError:
        pass  # the attachment was deleted meanwhile (PostgreSQL's foreign key): nothing to move
    else:
        report.copied += 1


def _settle(report: MoveReport, attachment_id: uuid.UUID, storage_name: str) -> bool:
    """Remove the file once its committed chunks read back identical; True when done."""
    store = attachment_store()
    if not store.exists(attachment_id):
        return False  # missing or unreadable: reported by _copy
    try:
        on_file = _digest(file_pieces(storage_name))
    except FileNotFoundError:
        return True  # removed by an earlier run after its check, killed before clearing the name
    except IntegrityError:
        report.unreadable.append(str(attachment_id))
        return False
    if _digest(store.open_stream(attachment_id)) != on_file:
        report.mismatched.append(str(attachment_id))
        store.delete(attachment_id)  # the file stays the copy that counts; a re-run copies again
        return False
    delete_file(storage_name)
    report.files_removed += 1
    return True


def move_attachments(
    batch: int = BATCH, progress: Callable[[int, int], None] | None = None
) -> MoveReport:
    """Move every attachment still on disk into the database, `batch` at a time."""
    report = MoveReport()
    ids = on_disk()
    db.session.commit()
    for start in range(0, len(ids), batch):
        rows: list[tuple[uuid.UUID, str]] = [
            (attachment_id, name)
            for attachment_id, name in db.session.execute(
                select(Attachment.id, Attachment.storage_name).where(
                    Attachment.id.in_(ids[start : start + batch]),
                    Attachment.storage_name.is_not(None),
                )
            )
            if name is not None
        ]
        for attachment_id, storage_name in rows:
            _copy(report, attachment_id, storage_name)
        db.session.commit()  # the chunks are committed before any file is removed
        done = [
            attachment_id
            for attachment_id, storage_name in rows
            if _settle(report, attachment_id, storage_name)
        ]
        if done:
            db.session.execute(
                update(Attachment).where(Attachment.id.in_(done)).values(storage_name=None)
            )
        db.session.commit()
        if progress:
            progress(min(start + batch, len(ids)), len(ids))
    # Chunks whose attachment was deleted while they were copied (SQLite checks no foreign key).
    orphans = select(Attachment.id)
    removed = db.session.execute(
        delete(AttachmentChunk).where(AttachmentChunk.attachment_id.not_in(orphans))
    )
    report.orphan_chunks_removed = int(getattr(removed, "rowcount", 0) or 0)
    db.session.commit()
    report.remaining = len(on_disk())
    db.session.rollback()
    return report


def stray_files() -> list[Path]:
    """Files in ATTACHMENT_DIR that no attachment names (left by an erasure or an upload that
    failed before attachments moved into the database): unreadable, their keys are gone."""
    folder = storage_dir()
    named = set(
        db.session.scalars(
            select(Attachment.storage_name).where(Attachment.storage_name.is_not(None))
        )
    )
    db.session.rollback()
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file() and is_storage_name(path.name) and path.name not in named
    )
