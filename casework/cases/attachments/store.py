"""Where an attachment's encrypted bytes are kept: the storage interface and its database
implementation (decision 0073).

A store keeps opaque pieces (the header, then one sealed chunk each: `casework.encryption.
storage.seal_file`) under an attachment's id. It never sees a key or a plaintext: encryption,
and the checks that catch a piece reordered, cut off or moved to another attachment, happen
above it. `DatabaseStore` keeps one row per piece in `attachment_chunks`, in the session's
transaction: an upload rolled back leaves nothing, and a deletion (an erasure) is committed
with the rest of its change or not at all. Another store (S3-compatible object storage) would
implement the same four methods; docs/architecture.md says how.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import Protocol

from sqlalchemy import delete, insert, select

from casework.cases.models import AttachmentChunk
from casework.core.extensions import db


class AttachmentStore(Protocol):
    def put(self, attachment_id: uuid.UUID, pieces: Iterable[bytes]) -> int:
        """Keep `pieces` in order under `attachment_id` (taking one at a time); their count."""

    def open_stream(self, attachment_id: uuid.UUID) -> Iterator[bytes]:
        """The pieces in order, fetched one at a time as they are taken."""

    def delete(self, attachment_id: uuid.UUID) -> None:
        """Remove every piece of the attachment (nothing if there is none)."""

    def exists(self, attachment_id: uuid.UUID) -> bool:
        """Whether the attachment has stored pieces."""


class DatabaseStore:
    """Pieces as rows of `attachment_chunks`, in the current session's transaction."""

    def put(self, attachment_id: uuid.UUID, pieces: Iterable[bytes]) -> int:
        count = 0
        for seq, piece in enumerate(pieces):
            db.session.execute(
                insert(AttachmentChunk).values(attachment_id=attachment_id, seq=seq, data=piece)
            )
            count += 1
        return count

    def fetch(self, attachment_id: uuid.UUID, seq: int) -> bytes | None:
        """One piece (None past the last): a download holds one or two at a time."""
        return db.session.execute(
            select(AttachmentChunk.data).where(
                AttachmentChunk.attachment_id == attachment_id, AttachmentChunk.seq == seq
            )
        ).scalar_one_or_none()

    def open_stream(self, attachment_id: uuid.UUID) -> Iterator[bytes]:
        seq = 0
        while (piece := self.fetch(attachment_id, seq)) is not None:
            yield piece
            seq += 1

    def delete(self, attachment_id: uuid.UUID) -> None:
        db.session.execute(
            delete(AttachmentChunk).where(AttachmentChunk.attachment_id == attachment_id)
        )

    def exists(self, attachment_id: uuid.UUID) -> bool:
        found = db.session.execute(
            select(AttachmentChunk.seq).where(
                AttachmentChunk.attachment_id == attachment_id, AttachmentChunk.seq == 0
            )
        ).first()
        return found is not None


def attachment_store() -> AttachmentStore:
    """The store attachments are kept in (the database; the one implementation today)."""
    return DatabaseStore()
