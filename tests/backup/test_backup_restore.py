"""Backup and restore: a dump restored into a fresh database decrypts in full with the key
file (kept apart), and its audit chain verifies; damaged dumps, missing keys, a non-empty
target and a backup folder next to the key file are refused.

Runs on SQLite and on PostgreSQL (pg_dump/pg_restore), each into a new, empty database.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import flask_migrate
import pytest
from flask import Flask
from sqlalchemy import select

from casework import ROOT
from casework.admin import operations as admin_ops
from casework.auth import operations as auth_ops
from casework.auth.models import User
from casework.core.extensions import db
from casework.crypto import generate_keyring, write_keyring_file
from casework.encryption.operations import shred_record
from casework.policy import Role
from tests import factories
from tests.conftest import build_app

MIGRATIONS = str(ROOT / "migrations")


@pytest.fixture
def make_app(tmp_path: Path, app: Flask) -> Iterator[Callable[..., Flask]]:
    """Apps sharing one key file (as production shares /etc/casework/keys.json)."""
    key_folder = tmp_path / "keys"
    key_folder.mkdir()
    shared_key_file = key_folder / "keys.json"
    write_keyring_file(shared_key_file, generate_keyring())
    built: list[Flask] = []

    def _make(url: str, key_file: Path = shared_key_file, name: str = "app") -> Flask:
        instance = tmp_path / f"instance-{name}-{len(built)}"
        instance.mkdir()
        application = build_app(
            str(instance),
            SQLALCHEMY_DATABASE_URI=url,
            KEY_FILE=str(key_file),
            BACKUP_DIR=str(tmp_path / "backups"),
        )
        built.append(application)
        return application

    yield _make
    for application in built:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def _populate(application: Flask) -> dict[str, str | None]:
    """Users of every role (each with an encrypted TOTP secret), agencies and audit events;
    one user crypto-shredded. Returns each user's id and TOTP secret."""
    with application.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        admin = factories.make_user(Role.ADMIN).user
        for role in Role:
            factories.make_user(role)
        for n in range(3):
            admin_ops.create_agency(admin, name=f"Backup Agency {n}", org_type="NGO", country="KH")
        shredded = factories.make_user(Role.CASEWORKER).user
        shred_record(shredded, actor=admin, reason="erasure_request")
        db.session.commit()
        secrets = {
            str(user.id): auth_ops.totp_secret(user) if user.totp_secret else None
            for user in db.session.scalars(select(User))
        }
        assert sum(1 for s in secrets.values() if s) == len(Role) + 1
        return secrets


def _cli(application: Flask, *args: str, input: str | None = None):
    # Commands run in the app context already pushed (the suite's own app is pushed around
    # every test), so push this application's first.
    with application.app_context():
        return application.test_cli_runner().invoke(args=list(args), input=input)


def test_backup_restores_into_a_fresh_database(databases, make_app, tmp_path: Path) -> None:
    source_url, target_url = databases
    source = make_app(source_url, name="source")
    secrets = _populate(source)
    backups = tmp_path / "backups"

    created = _cli(source, "backup", "create", "--output", str(backups))
    assert created.exit_code == 0, created.output
    (dump,) = [p for p in backups.iterdir() if not p.name.endswith(".json")]
    manifest = json.loads((backups / f"{dump.name}.json").read_text())
    assert manifest["dialect"] == source_url.split(":", 1)[0].split("+", 1)[0]
    assert manifest["revision"] is not None, manifest
    assert manifest["key_ids"], "the key ids the data keys need"
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    content = dump.read_bytes()
    for secret in filter(None, secrets.values()):
        assert secret.encode() not in content, "secrets are stored encrypted"
    key_file = Path(source.config["KEY_FILE"]).read_bytes()
    assert key_file not in content

    target = make_app(target_url, name="target")
    restored = _cli(target, "backup", "restore", str(dump))
    assert restored.exit_code == 0, restored.output
    assert "Every encrypted value decrypts and the audit trail is intact." in restored.output
    assert "shredded records" in restored.output

    with target.app_context():
        for user in db.session.scalars(select(User)):
            expected = secrets[str(user.id)]
            assert (auth_ops.totp_secret(user) if user.totp_secret else None) == expected
    audit = _cli(target, "audit", "verify")
    assert audit.exit_code == 0, audit.output
    assert "Audit trail intact" in audit.output
    verified = _cli(target, "backup", "verify")
    assert verified.exit_code == 0, verified.output

    # A database with data is not overwritten without --replace (and a confirmation).
    again = _cli(target, "backup", "restore", str(dump))
    assert again.exit_code != 0
    assert "not empty" in again.output
    declined = _cli(target, "backup", "restore", "--replace", str(dump), input="n\n")
    assert declined.exit_code != 0
    replaced = _cli(target, "backup", "restore", "--replace", "--yes", str(dump))
    assert replaced.exit_code == 0, replaced.output


def test_refusals(make_app, tmp_path: Path) -> None:
    source = make_app(f"sqlite:///{tmp_path}/source.sqlite3", name="source")
    _populate(source)
    key_folder = Path(source.config["KEY_FILE"]).parent

    inside_keys = _cli(source, "backup", "create", "--output", str(key_folder / "backups"))
    assert inside_keys.exit_code != 0
    assert "apart from the key file" in inside_keys.output
    assert not (key_folder / "backups").exists()

    backups = tmp_path / "backups"
    assert _cli(source, "backup", "create", "--output", str(backups)).exit_code == 0
    (dump,) = [p for p in backups.iterdir() if not p.name.endswith(".json")]

    # Another installation's keys: the key ids the data needs are missing.
    other_keys = tmp_path / "other" / "keys.json"
    other_keys.parent.mkdir()
    write_keyring_file(other_keys, generate_keyring())
    stranger = make_app(f"sqlite:///{tmp_path}/stranger.sqlite3", key_file=other_keys, name="x")
    refused = _cli(stranger, "backup", "restore", str(dump))
    assert refused.exit_code != 0
    assert "restore the key file that goes with this backup first" in refused.output
    assert not (tmp_path / "stranger.sqlite3").exists() or _tables(stranger) == set()

    # A damaged dump is refused before anything is written.
    damaged = tmp_path / "damaged" / dump.name
    damaged.parent.mkdir()
    damaged.write_bytes(dump.read_bytes()[:-10] + b"0123456789")
    (damaged.parent / f"{dump.name}.json").write_text((backups / f"{dump.name}.json").read_text())
    target = make_app(f"sqlite:///{tmp_path}/target.sqlite3", name="target")
    broken = _cli(target, "backup", "restore", str(damaged))
    assert broken.exit_code != 0
    assert "does not match its manifest" in broken.output
    assert _tables(target) == set()


def _tables(application: Flask) -> set[str]:
    from sqlalchemy import inspect

    with application.app_context():
        return set(inspect(db.engine).get_table_names())


def test_a_tampered_audit_trail_fails_verification(make_app, tmp_path: Path) -> None:
    from sqlalchemy import update

    from casework.audit.models import AuditEvent

    source = make_app(f"sqlite:///{tmp_path}/source.sqlite3", name="source")
    _populate(source)
    with source.app_context():
        db.session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(detail="edited"))
        db.session.commit()
    result = _cli(source, "backup", "verify")
    assert result.exit_code != 0
    assert "Audit trail BROKEN at event 2" in result.output
