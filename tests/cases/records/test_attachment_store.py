"""Attachments kept in the database as encrypted chunks (decision 0073): streamed one chunk at
a time, bound to their attachment, position and end, and erased in the erasure's transaction."""

from __future__ import annotations

import io
import os

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from casework.cases.attachments import file_tx
from casework.cases.attachments import operations as attachments
from casework.cases.attachments.store import DatabaseStore, attachment_store
from casework.cases.lifecycle.erasure import erase_case
from casework.cases.models import Attachment, AttachmentChunk, Case
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.crypto import IntegrityError, ShreddedError
from casework.encryption.storage import DATABASE_CHUNK, open_file, seal_file
from tests import factories
from tests.cases.records.conftest import World, png_bytes, stored_files


def _stored(world: World, content: bytes, case: Case | None = None) -> Attachment:
    """An attachment holding `content` as it is (the upload's checks are tested elsewhere;
    here the bytes only need to be many)."""
    case = case or world.case
    attachment = Attachment(
        case_id=case.id, kind="other", content_type="application/pdf", size=len(content)
    )
    with db.session.no_autoflush:
        attachment.case = case
        sealed = seal_file(attachment, io.BytesIO(content))
        attachment.wrapped_key = sealed.wrapped_key
        attachment.filename = "big.pdf"
    db.session.add(attachment)
    db.session.flush()
    attachment_store().put(attachment.id, sealed.pieces)
    db.session.commit()
    return attachment


def _chunks(attachment_id: object) -> list[AttachmentChunk]:
    return list(
        db.session.scalars(
            select(AttachmentChunk)
            .where(AttachmentChunk.attachment_id == attachment_id)
            .order_by(AttachmentChunk.seq)
        )
    )


def _read(attachment: Attachment) -> bytes:
    store = attachment_store()
    return b"".join(open_file(attachment, attachment.wrapped_key, store.open_stream(attachment.id)))


def test_a_multi_megabyte_download_fetches_one_chunk_per_chunk_sent(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = os.urandom(5 * 1024 * 1024 + 123)
    attachment = _stored(world, content)
    pieces = len(_chunks(attachment.id))
    assert pieces == 1 + -(-len(content) // DATABASE_CHUNK)  # the header, then the chunks

    fetched: list[int] = []
    original = DatabaseStore.fetch

    def counting(self: DatabaseStore, attachment_id: object, seq: int) -> bytes | None:
        fetched.append(seq)
        return original(self, attachment_id, seq)  # type: ignore[arg-type]

    monkeypatch.setattr(DatabaseStore, "fetch", counting)
    response = world.as_caseworker().get(
        f"/cases/{world.case.id}/attachments/{attachment.id}", buffered=False
    )
    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len(content))
    received = 0
    sent = 0
    digest = bytearray()
    for block in response.response:
        sent += 1
        received += len(block)
        digest += block[:1]
        # Never more than the header, the chunk being sent and the one looked ahead at.
        assert len(fetched) <= sent + 2, (sent, fetched)
        assert len(block) <= DATABASE_CHUNK
    response.close()
    assert received == len(content)
    assert sent == pieces - 1
    assert fetched == [*range(pieces), pieces][: len(fetched)]
    assert bytes(digest) == bytes(content[i] for i in range(0, len(content), DATABASE_CHUNK))


def test_chunks_reordered_moved_or_cut_off_do_not_decrypt(world: World) -> None:
    content = os.urandom(3 * DATABASE_CHUNK + 10)
    attachment = _stored(world, content)
    other = _stored(world, os.urandom(3 * DATABASE_CHUNK + 10))
    assert _read(attachment) == content

    first, second = _chunks(attachment.id)[1:3]
    first.data, second.data = second.data, first.data  # two chunks swapped
    db.session.commit()
    with pytest.raises(IntegrityError):
        _read(attachment)
    first.data, second.data = second.data, first.data
    db.session.commit()
    assert _read(attachment) == content

    theirs = _chunks(other.id)[2]
    mine = _chunks(attachment.id)[2]
    kept, mine.data = mine.data, theirs.data  # another attachment's chunk at the same place
    db.session.commit()
    with pytest.raises(IntegrityError):
        _read(attachment)
    mine.data = kept
    db.session.commit()

    db.session.delete(_chunks(attachment.id)[-1])  # the last chunk dropped
    db.session.commit()
    with pytest.raises(IntegrityError):
        _read(attachment)


def test_a_file_does_not_open_on_another_agencys_case(world: World) -> None:
    content = b"consent form " * 1000
    attachment = _stored(world, content)
    pieces = [chunk.data for chunk in _chunks(attachment.id)]
    case = factories.make_case(world.other)
    db.session.flush()
    stranger = Attachment(case_id=case.id, kind="other", content_type="application/pdf", size=1)
    stranger.id = attachment.id  # the same id, another agency's case
    with db.session.no_autoflush:
        stranger.case = case
        with pytest.raises(IntegrityError):
            b"".join(open_file(stranger, attachment.wrapped_key, pieces))
    db.session.rollback()


def _closed(world: World) -> Case:
    case = world.reload()
    attachments.add_attachment(
        world.caseworker, case, kind="legal", filename="x.png", stream=io.BytesIO(png_bytes())
    )
    case.status = "Closed"
    case.closure_reason = "goals_met"
    case.closed_at = utcnow()
    db.session.commit()
    return case


def test_erasure_deletes_the_chunks_in_its_own_transaction(world: World) -> None:
    case = _closed(world)
    [attachment] = case.attachments
    attachment_id = attachment.id
    pieces = [chunk.data for chunk in _chunks(attachment_id)]
    wrapped = attachment.wrapped_key
    assert pieces

    erase_case(world.supervisor, case, reason="retention")
    db.session.flush()
    assert _chunks(attachment_id) == [], "gone inside the erasure's transaction"
    assert not db.session.info.get("casework_files_to_delete"), "nothing left for afterwards"
    db.session.rollback()
    assert len(_chunks(attachment_id)) == len(pieces), "a rolled-back erasure keeps them"

    # Killed right after the commit: whatever ran after it never runs.
    event.remove(Session, "after_commit", file_tx._after_commit)
    try:
        erase_case(world.supervisor, db.session.get_one(Case, case.id), reason="retention")
        db.session.commit()
    finally:
        event.listen(Session, "after_commit", file_tx._after_commit)
    count = select(func.count()).select_from(AttachmentChunk)
    assert db.session.scalar(count.where(AttachmentChunk.attachment_id == attachment_id)) == 0
    assert stored_files(world.app) == []

    # And a copy of the chunks taken before (a backup) no longer opens: the case key is gone.
    ghost = Attachment(case_id=case.id, kind="legal", content_type="image/png", size=1)
    ghost.id = attachment_id
    with db.session.no_autoflush:
        ghost.case = db.session.get_one(Case, case.id)
        with pytest.raises(ShreddedError):
            b"".join(open_file(ghost, wrapped, pieces))
    db.session.rollback()


def test_a_download_cut_short_by_a_deletion_fails_instead_of_ending_early(world: World) -> None:
    content = os.urandom(4 * DATABASE_CHUNK)
    attachment = _stored(world, content)
    chunks = attachments.open_attachment(world.caseworker, attachment)
    assert len(next(chunks)) == DATABASE_CHUNK
    db.session.execute(
        update(AttachmentChunk)
        .where(AttachmentChunk.attachment_id == attachment.id, AttachmentChunk.seq >= 3)
        .values(seq=AttachmentChunk.seq + 100)
    )
    with pytest.raises(IntegrityError):
        list(chunks)
