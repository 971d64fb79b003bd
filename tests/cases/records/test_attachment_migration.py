"""`flask attachments migrate` moves files stored on disk into the database: killed part-way
(a real SIGKILL, at two points) and run again, every attachment downloads identically, and a
file is never removed before its chunks are committed."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from casework import ROOT
from casework.cases.attachments import operations as attachments
from casework.cases.attachments.store import attachment_store
from casework.cases.models import Attachment
from casework.core.extensions import db
from casework.encryption.storage import open_file, store_file
from casework.policy import Role
from tests import factories
from tests.conftest import build_app

pytestmark = pytest.mark.committing


@pytest.fixture
def legacy_app(tmp_path_factory: pytest.TempPathFactory, app: Flask) -> Iterator[Flask]:
    """An app of its own (its own instance folder and attachment folder; on PostgreSQL the
    test database, emptied afterwards), with the tables created."""
    application = build_app(str(tmp_path_factory.mktemp("migrate")))
    with application.app_context():
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _on_disk(count: int) -> dict[uuid.UUID, bytes]:
    """`count` attachments stored as files, as before decision 0073; their contents."""
    agency = factories.make_agency()
    caseworker = factories.make_user(Role.CASEWORKER, agency).user
    contents: dict[uuid.UUID, bytes] = {}
    for n in range(count):
        case = factories.make_case(agency, assigned_to=caseworker)
        db.session.flush()
        content = os.urandom(100_000 + 37_000 * n)
        attachment = Attachment(
            case_id=case.id, kind="other", content_type="application/pdf", size=len(content)
        )
        with db.session.no_autoflush:
            attachment.case = case
            stored = store_file(attachment, io.BytesIO(content))
            attachment.storage_name = stored.storage_name
            attachment.wrapped_key = stored.wrapped_key
            attachment.filename = f"file-{n}.pdf"
        db.session.add(attachment)
        contents[attachment.id] = content
    db.session.commit()
    return contents


def _files(application: Flask) -> set[str]:
    return {path.name for path in Path(application.config["ATTACHMENT_DIR"]).iterdir()}


def _content_in_database(attachment: Attachment) -> bytes | None:
    store = attachment_store()
    if not store.exists(attachment.id):
        return None
    return b"".join(open_file(attachment, attachment.wrapped_key, store.open_stream(attachment.id)))


def _killed_run(application: Flask, where: str, n: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.cases.records.migrate_main",
            application.config["INSTANCE_DIR"],
            application.config["SQLALCHEMY_DATABASE_URI"],
            where,
            str(n),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(("where", "n"), [("copying", 5), ("removed", 4)])
def test_killed_midway_and_run_again_every_attachment_downloads_identically(
    legacy_app: Flask, where: str, n: int
) -> None:
    with legacy_app.app_context():
        contents = _on_disk(8)
        names = {a.id: a.storage_name for a in db.session.scalars(select(Attachment))}
        assert len(_files(legacy_app)) == 8

    killed = _killed_run(legacy_app, where, n)
    assert killed.returncode == -9, killed.stdout + killed.stderr

    with legacy_app.app_context():
        left = _files(legacy_app)
        assert 0 < len(left) < 8, "killed part-way"
        for attachment in db.session.scalars(select(Attachment)):
            if names[attachment.id] not in left:
                # Its file is gone: its chunks were committed first, and they are the file.
                assert _content_in_database(attachment) == contents[attachment.id]
        db.session.rollback()

        again = legacy_app.test_cli_runner().invoke(args=["attachments", "migrate"])
        assert again.exit_code == 0, again.output
        assert "Every attachment is in the database" in again.output
        assert _files(legacy_app) == set()
        owner = factories.make_user(Role.SUPERVISOR).user
        for attachment in db.session.scalars(select(Attachment)):
            assert attachment.storage_name is None
            read = b"".join(attachments.open_attachment(owner, attachment))
            assert read == contents[attachment.id]
        db.session.rollback()

        third = legacy_app.test_cli_runner().invoke(args=["attachments", "migrate"])
        assert third.exit_code == 0, third.output
        assert "0 attachment(s) stored on disk" in third.output


def test_a_missing_file_is_named_and_the_others_move(legacy_app: Flask) -> None:
    with legacy_app.app_context():
        contents = _on_disk(3)
        gone = db.session.scalars(select(Attachment).order_by(Attachment.id)).first()
        assert gone is not None
        assert gone.storage_name is not None
        folder = Path(legacy_app.config["ATTACHMENT_DIR"])
        (folder / gone.storage_name).unlink()
        stray = folder / ("A" * 32)  # a file no attachment names (an old erasure's leftover)
        stray.write_bytes(b"old ciphertext")
        gone_id = gone.id
        db.session.rollback()

        result = legacy_app.test_cli_runner().invoke(
            args=["attachments", "migrate", "--no-progress"]
        )
        assert result.exit_code == 1, result.output
        assert f"Missing: attachment {gone_id} has no file and no chunks." in result.output
        assert "1 file(s) in the attachment folder belong to no attachment" in result.output
        assert "Copied into the database: 2; files removed: 2; still on disk: 1." in result.output
        assert _files(legacy_app) == {stray.name}, "the stray file is only reported"
        owner = factories.make_user(Role.SUPERVISOR).user
        for attachment in db.session.scalars(select(Attachment)):
            if attachment.id != gone_id:
                read = b"".join(attachments.open_attachment(owner, attachment))
                assert read == contents[attachment.id]
        db.session.rollback()
