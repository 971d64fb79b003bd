"""Encrypted files on disk: random names outside static/, bound to their record, size-limited,
unreadable once the record is shredded."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import ROOT
from casework.core.extensions import db
from casework.crypto import FileTooLarge, IntegrityError, ShreddedError
from casework.encryption import storage
from casework.encryption.operations import shred_record
from tests import factories


def _owner():  # a user owns a data key; cases' attachments use their case's key the same way
    account = factories.make_user()
    db.session.commit()
    return account.user


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.binary(max_size=200_000))
def test_round_trip(app: Flask, content: bytes) -> None:
    owner = _owner()
    stored = storage.store_file(owner, io.BytesIO(content))
    assert stored.size == len(content)
    assert b"".join(storage.read_file(owner, stored.storage_name, stored.wrapped_key)) == content
    storage.delete_file(stored.storage_name)


def test_files_live_outside_static_under_random_names_and_private(app: Flask) -> None:
    owner = _owner()
    canary = b"CANARY-PASSPORT-X1234567 " * 100
    stored = storage.store_file(owner, io.BytesIO(canary))
    path = Path(app.config["ATTACHMENT_DIR"]) / stored.storage_name
    assert path.is_file()
    assert ROOT / "casework" / "static" not in path.parents
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"CANARY" not in path.read_bytes()
    assert len(stored.storage_name) == 32


def test_size_limit_leaves_nothing_behind(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    owner = _owner()
    monkeypatch.setitem(app.config, "MAX_ATTACHMENT_BYTES", 1000)
    before = set(os.listdir(storage.storage_dir()))
    with pytest.raises(FileTooLarge):
        storage.store_file(owner, io.BytesIO(b"x" * 1001))
    assert set(os.listdir(storage.storage_dir())) == before
    assert storage.store_file(owner, io.BytesIO(b"x" * 1000)).size == 1000


def test_a_file_of_one_record_does_not_open_for_another(app: Flask) -> None:
    owner, other = _owner(), _owner()
    stored = storage.store_file(owner, io.BytesIO(b"secret document"))
    with pytest.raises(IntegrityError):
        b"".join(storage.read_file(other, stored.storage_name, stored.wrapped_key))


def test_truncated_file_fails(app: Flask) -> None:
    owner = _owner()
    stored = storage.store_file(owner, io.BytesIO(os.urandom(200_000)))
    path = storage.storage_dir() / stored.storage_name
    path.write_bytes(path.read_bytes()[: -(64 * 1024 + 16)])  # drop the last chunk
    with pytest.raises(IntegrityError):
        b"".join(storage.read_file(owner, stored.storage_name, stored.wrapped_key))


def test_shredding_the_record_makes_its_files_unreadable(app: Flask) -> None:
    owner = _owner()
    stored = storage.store_file(owner, io.BytesIO(b"consent form"))
    shred_record(owner, actor=None, reason="test")
    db.session.commit()
    with pytest.raises(ShreddedError):
        b"".join(storage.read_file(owner, stored.storage_name, stored.wrapped_key))


def test_storage_names_are_checked(app: Flask) -> None:
    with pytest.raises(ValueError, match="storage name"):
        storage.delete_file("../keys.json")
