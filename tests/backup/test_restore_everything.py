"""A backup restores everything (issue 13, item 4): on a fresh host with only the dump and the
key file, every attachment downloads as it was and every person is found by name; `backup
verify` decrypts every attachment; `backup drill` restores into a scratch database, checks it,
reports and drops it. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import flask_migrate
import psycopg
import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from casework import ROOT
from casework.audit.models import AuditEvent
from casework.auth.models import User
from casework.cases import queries
from casework.cases.attachments import operations as attachments
from casework.cases.attachments.store import attachment_store
from casework.cases.models import Attachment, AttachmentChunk, Case
from casework.core.extensions import db
from casework.crypto import generate_keyring, write_keyring_file
from casework.encryption.storage import seal_file
from casework.policy import Role
from tests import factories
from tests.cases.records.conftest import png_bytes
from tests.conftest import build_app, sign_in_directly
from tests.scratch import admin_dsn

MIGRATIONS = str(ROOT / "migrations")
NAMES = ("Nguyen Thi Lan", "Somchai Jaidee", "ស្រី ពៅ", "Maria Santos", "Aung Aung", "Siti Aminah")


@pytest.fixture
def make_app(tmp_path: Path, app: Flask) -> Iterator[Callable[..., Flask]]:
    built: list[Flask] = []

    def _make(url: str, key_file: Path, name: str) -> Flask:
        instance = tmp_path / f"instance-{name}"
        instance.mkdir()
        application = build_app(
            str(instance),
            SQLALCHEMY_DATABASE_URI=url,
            KEY_FILE=str(key_file),
            BACKUP_DIR=str(tmp_path / f"backups-{name}"),
        )
        built.append(application)
        return application

    yield _make
    for application in built:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def _key_file(folder: Path) -> Path:
    folder.mkdir()
    path = folder / "keys.json"
    write_keyring_file(path, generate_keyring())
    return path


def _cli(application: Flask, *args: str):
    with application.app_context():
        return application.test_cli_runner().invoke(args=list(args))


def _populate(application: Flask) -> dict[str, object]:
    """Cases named in several scripts, each with files (one of several chunks); returns what
    a restore must give back."""
    with application.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        agency = factories.make_agency("Restore Agency")
        supervisor = factories.make_user(Role.SUPERVISOR, agency).user
        caseworker = factories.make_user(Role.CASEWORKER, agency).user
        cases: dict[str, uuid.UUID] = {}
        files: dict[uuid.UUID, bytes] = {}
        for n, name in enumerate(NAMES):
            case = factories.make_case(agency, assigned_to=caseworker, full_name=name)
            db.session.flush()
            cases[name] = case.id
            picture = png_bytes(size=(10 + n, 8), colour=(n * 30, 100, 200))
            attachments.add_attachment(
                caseworker,
                case,
                kind="identity_document",
                filename="id.png",
                stream=io.BytesIO(picture),
            )
        big_case = db.session.get_one(Case, cases[NAMES[0]])
        big = Attachment(case_id=big_case.id, kind="other", content_type="application/pdf", size=0)
        content = os.urandom(700_000)  # three chunks of the database store
        with db.session.no_autoflush:
            big.case = big_case
            sealed = seal_file(big, io.BytesIO(content))
            big.wrapped_key, big.size, big.filename = sealed.wrapped_key, len(content), "big.pdf"
        db.session.add(big)
        db.session.flush()
        attachment_store().put(big.id, sealed.pieces)
        db.session.commit()
        for attachment in db.session.scalars(select(Attachment)):
            files[attachment.id] = b"".join(attachments.open_attachment(supervisor, attachment))
        db.session.commit()
        assert len(files) == len(NAMES) + 1
        assert files[big.id] == content
        return {
            "supervisor": (supervisor.id, supervisor.session_epoch),
            "cases": cases,
            "files": files,
        }


def _dump(folder: Path) -> Path:
    [manifest] = folder.glob("*.json")
    return manifest.with_name(manifest.name.removesuffix(".json"))


def test_a_fresh_host_with_the_dump_and_the_key_file_gets_everything_back(
    databases: tuple[str, str], make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    source_url, target_url = databases
    source_keys = _key_file(tmp_path / "source-keys")
    source = make_app(source_url, source_keys, "source")
    expected = _populate(source)
    backups = tmp_path / "carried"
    created = _cli(source, "backup", "create", "--output", str(backups))
    assert created.exit_code == 0, created.output
    assert f"Attachments in it: {len(NAMES) + 1}." in created.output
    dump = _dump(backups)
    manifest = json.loads((backups / f"{dump.name}.json").read_text())
    assert manifest["attachments"] == len(NAMES) + 1
    assert manifest["attachments_on_disk"] == 0
    assert manifest["key_ids"]
    assert manifest["index_key_id"]

    # The new host: an empty database, its own (empty) instance folder, a copy of the key file.
    host_keys = tmp_path / "new-host-keys"
    host_keys.mkdir()
    shutil.copy2(source_keys, host_keys / "keys.json")
    target = make_app(target_url, host_keys / "keys.json", "new-host")
    restored = _cli(target, "backup", "restore", str(dump))
    assert restored.exit_code == 0, restored.output
    assert f"Attachments read: {len(NAMES) + 1}, every chunk decrypted" in restored.output
    assert not any(Path(target.config["ATTACHMENT_DIR"]).glob("*")), "no file on the new host"

    supervisor_id, epoch = expected["supervisor"]  # type: ignore[misc]
    account = SimpleNamespace(user=SimpleNamespace(id=supervisor_id, session_epoch=epoch))
    client = target.test_client()
    with target.app_context():
        sign_in_directly(client, account)  # type: ignore[arg-type]
        supervisor = db.session.get_one(User, supervisor_id)
        files: dict[uuid.UUID, bytes] = expected["files"]  # type: ignore[assignment]
        for attachment_id, content in files.items():
            attachment = db.session.get_one(Attachment, attachment_id)
            response = client.get(f"/cases/{attachment.case_id}/attachments/{attachment_id}")
            assert response.status_code == 200, attachment_id
            assert response.data == content
        cases: dict[str, uuid.UUID] = expected["cases"]  # type: ignore[assignment]
        for name, case_id in cases.items():
            assert case_id in queries.search(supervisor, name, "name"), name
        db.session.rollback()


def test_verify_names_an_attachment_whose_chunk_was_altered(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    application = make_app(
        f"sqlite:///{tmp_path}/live.sqlite3", _key_file(tmp_path / "keys"), "live"
    )
    _populate(application)
    assert _cli(application, "backup", "verify").exit_code == 0
    with application.app_context():
        chunk = db.session.scalars(select(AttachmentChunk).where(AttachmentChunk.seq == 1)).first()
        assert chunk is not None
        chunk.data = chunk.data[:-1] + bytes([chunk.data[-1] ^ 1])
        attachment_id = chunk.attachment_id
        db.session.commit()
    result = _cli(application, "backup", "verify")
    assert result.exit_code == 1, result.output
    assert f"Unreadable: attachments {attachment_id} file" in result.output


def _pg_databases(url: str) -> set[str]:
    with psycopg.connect(admin_dsn(url), autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


def test_drill_restores_checks_reports_and_drops_the_scratch_database(
    databases: tuple[str, str], make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    source_url, _ = databases
    live = make_app(source_url, _key_file(tmp_path / "keys"), "live")
    _populate(live)
    assert _cli(live, "backup", "create").exit_code == 0
    with live.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEvent))
        db.session.rollback()

    drilled = _cli(live, "backup", "drill")
    assert drilled.exit_code == 0, drilled.output
    assert "Drill PASSED" in drilled.output
    assert f"{len(NAMES)} cases" in drilled.output
    assert f"{len(NAMES) + 1} attachments" in drilled.output
    assert f"Attachments read: {len(NAMES) + 1}, every chunk decrypted" in drilled.output
    assert "Search indexes checked: " in drilled.output
    with live.app_context():
        after = db.session.scalar(select(func.count()).select_from(AuditEvent))
        db.session.rollback()
    assert after == before, "the live database is not written"
    if source_url.startswith("postgresql"):
        scratch = f"{make_url(source_url).database}_drill"
        assert f"restored into {scratch}," in drilled.output
        assert scratch not in _pg_databases(source_url), "dropped"
    else:
        [line] = [x for x in drilled.output.splitlines() if "restored into" in x]
        scratch_file = line.split("restored into ", 1)[1].split(", which", 1)[0]
        assert not Path(scratch_file).exists(), "deleted"

    # A damaged attachment in the backup: the drill fails and names it.
    with live.app_context():
        chunk = db.session.scalars(select(AttachmentChunk).where(AttachmentChunk.seq == 1)).first()
        assert chunk is not None
        chunk.data = bytes([chunk.data[0] ^ 1]) + chunk.data[1:]
        attachment_id = chunk.attachment_id
        db.session.commit()
    backups = Path(live.config["BACKUP_DIR"])
    shutil.rmtree(backups)
    assert _cli(live, "backup", "create").exit_code == 0
    failed = _cli(live, "backup", "drill", str(_dump(backups)))
    assert failed.exit_code == 1, failed.output
    assert "Drill FAILED" in failed.output
    assert f"Unreadable: attachments {attachment_id} file" in failed.output


def test_drill_with_another_key_file_fails_in_one_line(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    live = make_app(f"sqlite:///{tmp_path}/live.sqlite3", _key_file(tmp_path / "keys"), "live")
    _populate(live)
    assert _cli(live, "backup", "create").exit_code == 0
    dump = _dump(Path(live.config["BACKUP_DIR"]))
    stranger = make_app(
        f"sqlite:///{tmp_path}/other.sqlite3", _key_file(tmp_path / "other-keys"), "other"
    )
    failed = _cli(stranger, "backup", "drill", str(dump))
    assert failed.exit_code == 1, failed.output
    assert "Drill FAILED: the backup's data needs key(s)" in failed.output
    assert "Traceback" not in failed.output


def test_attachments_still_on_disk_are_named_as_not_in_the_backup(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    from casework.encryption.storage import store_file

    live = make_app(f"sqlite:///{tmp_path}/live.sqlite3", _key_file(tmp_path / "keys"), "live")
    _populate(live)
    with live.app_context():
        case = db.session.scalars(select(Case)).first()
        assert case is not None
        old = Attachment(case_id=case.id, kind="other", content_type="application/pdf", size=5)
        with db.session.no_autoflush:
            old.case = case
            stored = store_file(old, io.BytesIO(b"older"))
            old.storage_name, old.wrapped_key, old.filename = (
                stored.storage_name,
                stored.wrapped_key,
                "old.pdf",
            )
        db.session.add(old)
        db.session.commit()
        old_id = old.id

    created = _cli(live, "backup", "create")
    assert created.exit_code == 0, created.output
    assert "WARNING: 1 attachment(s) are still files on disk and are NOT in this backup" in (
        created.output
    )
    manifest = json.loads(next(Path(live.config["BACKUP_DIR"]).glob("*.json")).read_text())
    assert (manifest["attachments"], manifest["attachments_on_disk"]) == (len(NAMES) + 1, 1)
    verified = _cli(live, "backup", "verify")
    assert verified.exit_code == 1
    assert f"Not in the database (a file on disk, not in backups): attachments {old_id}" in (
        verified.output
    )
    assert "run `flask --app wsgi attachments migrate`" in verified.output

    assert _cli(live, "attachments", "migrate", "--no-progress").exit_code == 0
    assert _cli(live, "backup", "verify").exit_code == 0
