"""A restore with a key file whose blind-index key is not the backup's is refused, naming the
index key (issue 13, item 4: a key file from before `keys rotate-index` "decrypted every value"
while 0 of 200 name searches matched)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from casework.auth.models import User
from casework.cases import queries
from casework.core.extensions import db
from casework.encryption import keys
from casework.policy import Role
from tests import factories
from tests.conftest import build_app


def _cli(application, *args: str):
    with application.app_context():
        return application.test_cli_runner().invoke(args=list(args))


def test_a_restore_with_another_index_key_is_refused(
    own_app, tmp_path: Path, databases: tuple[str, str]
) -> None:
    source_url, target_url = databases
    source = own_app(SQLALCHEMY_DATABASE_URI=source_url)
    with source.app_context():
        agency = factories.make_agency()
        supervisor_id = factories.make_user(Role.SUPERVISOR, agency).user.id
        case_id = factories.make_case(agency, full_name="Nguyen Thi Lan").id
        db.session.commit()
    backups = tmp_path / "backups"
    created = _cli(source, "backup", "create", "--output", str(backups))
    assert created.exit_code == 0, created.output
    [manifest_file] = backups.glob("*.json")
    dump = manifest_file.with_name(manifest_file.name.removesuffix(".json"))
    manifest = json.loads(manifest_file.read_text())
    key_file = Path(source.config["KEY_FILE"])
    with source.app_context():
        assert manifest["index_key_id"] == keys.keyring().index_key_id
    kept = tmp_path / "kept-keys.json"
    shutil.copy2(key_file, kept)  # the key file that goes with this backup

    rotated = _cli(source, "keys", "rotate-index", "--no-progress")
    assert rotated.exit_code == 0, rotated.output

    # Today's key file (another index key) is refused; the key file of the backup restores.
    _refused_then_restored(
        tmp_path / "target",
        target_url,
        dump,
        key_file,
        kept,
        manifest["index_key_id"],
        supervisor_id,
        case_id,
    )


def test_verify_checks_search_indexes(own_app, tmp_path: Path, monkeypatch) -> None:
    """`backup verify` used to pass a database whose search indexes no longer matched."""
    from sqlalchemy import update

    from casework.cases.models import Person
    from casework.encryption import cli as keys_cli

    application = own_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/live.sqlite3")
    with application.app_context():
        agency = factories.make_agency()
        person_id = factories.make_case(agency, full_name="Nguyen Thi Lan").person.id  # type: ignore[union-attr]
        db.session.commit()
    ok = _cli(application, "backup", "verify")
    assert ok.exit_code == 0, ok.output
    assert "Search indexes checked: 2." in ok.output  # the name and the birth date
    # A rotate-index that wrote its new key, then was killed before recomputing.
    monkeypatch.setattr(keys_cli, "recompute_blind_indexes", lambda *args: 0)
    assert _cli(application, "keys", "rotate-index", "--no-progress").exit_code == 0
    stale = _cli(application, "backup", "verify")
    assert stale.exit_code == 1
    assert f"Search index does not match (wrong index key?): people {person_id} full_name" in (
        stale.output
    )
    monkeypatch.undo()
    with application.app_context():
        db.session.execute(update(Person).values(full_name_bidx=None))
        db.session.commit()
    assert _cli(application, "backup", "verify").exit_code == 1


def test_a_backup_during_an_unfinished_rotate_index_needs_both_index_keys(
    own_app, tmp_path: Path, monkeypatch
) -> None:
    """A backup taken while `rotate-index` is unfinished holds indexes under both keys: a key
    file from after it finished (the old index key dropped) is refused, naming the old key."""
    from casework.encryption import cli as keys_cli

    source = own_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/live.sqlite3")
    with source.app_context():
        agency = factories.make_agency()
        supervisor_id = factories.make_user(Role.SUPERVISOR, agency).user.id
        case_id = factories.make_case(agency, full_name="Nguyen Thi Lan").id
        db.session.commit()
        old_index = keys.keyring().index_key_id

    def killed(*args: object) -> int:
        raise RuntimeError("killed while recomputing")

    monkeypatch.setattr(keys_cli, "_wait_for_running_apps", lambda path: None)
    monkeypatch.setattr(keys_cli, "recompute_blind_indexes", killed)
    assert _cli(source, "keys", "rotate-index", "--no-progress").exit_code != 0
    key_file = Path(source.config["KEY_FILE"])
    with source.app_context():
        keys.state().forget()
        both = keys.keyring().search_index_key_ids
    assert len(both) == 2
    assert old_index in both

    backups = tmp_path / "backups"
    created = _cli(source, "backup", "create", "--output", str(backups))
    assert created.exit_code == 0, created.output
    [manifest_file] = backups.glob("*.json")
    dump = manifest_file.with_name(manifest_file.name.removesuffix(".json"))
    assert sorted(json.loads(manifest_file.read_text())["index_key_ids"]) == sorted(both)
    kept = tmp_path / "kept-keys.json"
    shutil.copy2(key_file, kept)  # the key file that goes with this backup

    monkeypatch.undo()
    monkeypatch.setattr(keys_cli, "_wait_for_running_apps", lambda path: None)
    finished = _cli(source, "keys", "rotate-index", "--no-progress")
    assert finished.exit_code == 0, finished.output

    # After the rotation (the old key dropped) it is refused; the backup's own (both) restores.
    _refused_then_restored(
        tmp_path / "target",
        f"sqlite:///{tmp_path}/target.sqlite3",
        dump,
        key_file,
        kept,
        old_index,
        supervisor_id,
        case_id,
    )


def _refused_then_restored(
    target_dir: Path,
    target_url: str,
    dump: Path,
    wrong_keys: Path,
    right_keys: Path,
    missing_index_key: str,
    supervisor_id: object,
    case_id: object,
) -> None:
    """A restore with `wrong_keys` is refused naming `missing_index_key`; with `right_keys` it
    restores and the person is found by name."""
    target_dir.mkdir()
    shutil.copy2(wrong_keys, target_dir / "keys.json")
    target = build_app(str(target_dir), SQLALCHEMY_DATABASE_URI=target_url)
    refused = _cli(target, "backup", "restore", str(dump))
    assert refused.exit_code == 1
    assert f"need the blind-index key {missing_index_key}" in refused.output
    assert "Traceback" not in refused.output

    shutil.copy2(right_keys, target_dir / "keys.json")
    with target.app_context():
        keys.state().forget()
    restored = _cli(target, "backup", "restore", str(dump))
    assert restored.exit_code == 0, restored.output
    with target.app_context():
        supervisor = db.session.get_one(User, supervisor_id)
        assert case_id in queries.search(supervisor, "Nguyen Thi Lan", "name")
        db.session.remove()
        db.engine.dispose()
