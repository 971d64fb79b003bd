"""`flask keys ...`: generate, status, rotate (resumable), retire."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from casework.auth.models import User
from casework.core.extensions import db
from casework.encryption import cli as keys_cli
from casework.encryption import keys
from casework.encryption.models import DataKey
from tests import factories
from tests.conftest import build_app


@pytest.fixture
def own_app(tmp_path: Path) -> Iterator[Flask]:
    """An app with a key file of its own, so rotating it cannot disturb other tests."""
    application = build_app(str(tmp_path))
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()


def run(application: Flask, *args: str) -> tuple[int, str]:
    result = application.test_cli_runner().invoke(args=["keys", *args])
    return result.exit_code, result.output


def key_file(application: Flask) -> dict[str, object]:
    return json.loads(Path(application.config["KEY_FILE"]).read_text())


def users_with_secrets(count: int) -> list[tuple[object, str]]:
    """(user id, TOTP secret) pairs: plain values, as the CLI expunges the session."""
    accounts = [factories.make_user() for _ in range(count)]
    db.session.commit()
    return [(account.user.id, account.secret) for account in accounts]


def assert_all_read(accounts: list[tuple[object, str]]) -> None:
    db.session.expire_all()
    for user_id, secret in accounts:
        assert db.session.get(User, user_id).totp_secret == secret


def test_generate_writes_a_private_file_and_refuses_to_overwrite(own_app, tmp_path) -> None:
    target = tmp_path / "new" / "keys.json"
    code, output = run(own_app, "generate", "--path", str(target))
    assert code == 0, output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    before = target.read_bytes()
    code, output = run(own_app, "generate", "--path", str(target))
    assert code != 0
    assert "refusing to overwrite" in output
    assert target.read_bytes() == before


def status_row(output: str, key_id: str) -> dict[str, str]:
    """`keys status`'s row for one key, by column name (key, state, data keys, then one column
    per model that owns data keys, in table-name order)."""
    lines = output.splitlines()
    heading = lines[1].replace("data keys", "data_keys").split()
    names = [name.replace("data_keys", "data keys") for name in heading]
    row = next(line for line in lines if line.startswith(str(key_id))).split()
    assert len(row) == len(names), (names, row)
    return dict(zip(names, row, strict=True))


def test_status_counts_data_keys_and_records_per_key(own_app) -> None:
    users_with_secrets(3)
    code, output = run(own_app, "status")
    assert code == 0, output
    active = key_file(own_app)["active"]
    counts = status_row(output, active)
    assert {"cases", "users", "form_drafts"} <= set(counts)  # every owner of data keys counted
    assert (counts["state"], counts["data keys"], counts["cases"], counts["users"]) == (
        "active",
        "3",
        "0",
        "3",
    )


def test_status_counts_the_cases_each_key_protects(own_app) -> None:
    """The audit: `keys status` said 10 records for 20,023 data keys (cases were not counted)."""
    users_with_secrets(2)
    agency = factories.make_agency()
    for _ in range(4):
        factories.make_case(agency)
    db.session.commit()
    code, output = run(own_app, "status")
    assert code == 0, output
    active = key_file(own_app)["active"]
    counts = status_row(output, active)
    assert (counts["state"], counts["data keys"], counts["cases"], counts["users"]) == (
        "active",
        "6",
        "4",
        "2",
    )


def test_rotation_leaves_nothing_under_the_old_key_and_everything_reads(own_app) -> None:
    accounts = users_with_secrets(5)
    old = key_file(own_app)["active"]
    code, output = run(own_app, "rotate", "--no-progress")
    assert code == 0, output
    new = key_file(own_app)["active"]
    assert new != old
    assert old in key_file(own_app)["keys"]  # old keys stay, decrypt-only, until retired
    db.session.expire_all()
    kek_ids = set(db.session.scalars(select(DataKey.kek_id)).all())
    assert kek_ids == {new}
    assert_all_read(accounts)
    # A record written after rotation is under the new key.
    late_id, _ = users_with_secrets(1)[0]
    assert db.session.get(User, late_id).data_key.kek_id == new


def test_rotation_resumes_after_an_interruption(own_app, monkeypatch) -> None:
    accounts = users_with_secrets(7)
    monkeypatch.setattr(keys_cli, "BATCH", 3)
    real_rewrap = keys_cli.rewrap
    calls = {"n": 0}

    def failing_rewrap(*args: object, **kwargs: object) -> bytes:
        calls["n"] += 1
        if calls["n"] == 5:  # in the second batch: the first batch is committed
            raise KeyboardInterrupt
        return real_rewrap(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(keys_cli, "rewrap", failing_rewrap)
    code, _ = run(own_app, "rotate", "--no-progress")
    assert code != 0
    db.session.rollback()
    new = key_file(own_app)["active"]
    done = db.session.scalar(select(func.count()).where(DataKey.kek_id == new))
    assert done == 3
    monkeypatch.setattr(keys_cli, "rewrap", real_rewrap)
    code, output = run(own_app, "rotate", "--no-progress")
    assert code == 0, output
    assert "Resuming" in output
    assert key_file(own_app)["active"] == new  # no second new key
    db.session.expire_all()
    assert set(db.session.scalars(select(DataKey.kek_id)).all()) == {new}
    assert_all_read(accounts)


def test_retire_refuses_while_in_use_and_works_after_rotation(own_app) -> None:
    accounts = users_with_secrets(2)
    old = str(key_file(own_app)["active"])
    code, output = run(own_app, "retire", old)
    assert code != 0
    assert "active key" in output
    # Make a new active key without rewrapping: the old one still protects data.
    ring_file = Path(own_app.config["KEY_FILE"])
    from casework.crypto import load_keyring_file, write_keyring_file

    write_keyring_file(
        ring_file, load_keyring_file(ring_file).with_new_active_key(), overwrite=True
    )
    keys.state(own_app).forget()  # as a fresh process would (a server re-reads within 2 s)
    code, output = run(own_app, "retire", old)
    assert code != 0
    assert "still protects 2 data keys" in output
    assert old in key_file(own_app)["keys"]
    code, output = run(own_app, "rotate", "--no-progress")
    assert code == 0, output
    code, output = run(own_app, "retire", old)
    assert code == 0, output
    assert old not in key_file(own_app)["keys"]
    db.session.expire_all()
    assert_all_read(accounts)


def test_retire_unknown_key(own_app) -> None:
    code, output = run(own_app, "retire", "nope")
    assert code != 0
    assert "No key" in output


def test_a_serving_app_picks_up_a_rotated_key_file(own_app, monkeypatch) -> None:
    """`keys rotate` runs in another process; the app re-reads the changed file."""
    from casework.crypto import load_keyring_file, write_keyring_file

    state = keys.state(own_app)
    before = state.current().active_key_id
    path = Path(own_app.config["KEY_FILE"])
    write_keyring_file(path, load_keyring_file(path).with_new_active_key(), overwrite=True)
    monkeypatch.setattr(keys, "RECHECK_SECONDS", 0.0)
    after = state.current().active_key_id
    assert after != before
    assert keys.wrapper().active_key_id == after
