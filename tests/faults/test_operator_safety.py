"""Operator safety (issue 13, item 8): settings checked at start, `/health` that reports the
keyring and the database, CLI errors as one line, a missing key file that says the data needs
the old key, and a form whose file name is not UTF-8.

The audit: `RETENTION_YEARS=-5` made every closed case due for erasure; `/health` said 200 while
every case page was 500 with a broken key file; a missing key file at restore was a traceback
that suggested `keys generate`; a non-UTF-8 file name gave a misleading "Form expired".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from casework.core.extensions import db
from casework.crypto import generate_keyring, write_keyring_file
from casework.encryption import keys
from casework.policy import Role
from config import ConfigError
from tests import factories
from tests.conftest import build_app, csrf_token, sign_in


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (-5, "RETENTION_YEARS must be between 1 and 100, not -5"),
        (0, "RETENTION_YEARS must be between 1 and 100, not 0"),
        (5000, "RETENTION_YEARS must be between 1 and 100, not 5000"),
        ("seven", "RETENTION_YEARS must be a whole number"),
    ],
)
def test_absurd_retention_refuses_to_start(tmp_path: Path, value: object, said: str) -> None:
    with pytest.raises(ConfigError, match=said):
        build_app(str(tmp_path), RETENTION_YEARS=value)


def test_a_retention_changed_under_a_running_app_erases_nothing(
    own_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cases erase-due --yes` (from cron) with a retention made negative after start: one line,
    exit 1, nothing erased."""
    application = own_app()
    with application.app_context():
        agency = factories.make_agency()
        case = factories.make_case(agency, status="Closed")
        db.session.commit()
        monkeypatch.setitem(application.config, "RETENTION_YEARS", -5)
        result = application.test_cli_runner().invoke(args=["cases", "erase-due", "--yes"])
        assert result.exit_code == 1
        assert result.output.strip() == "Error: RETENTION_YEARS must be between 1 and 100"
        db.session.expire_all()
        assert db.session.get_one(type(case), case.id).erased_at is None


def _health(application: Flask) -> tuple[int, dict[str, str]]:
    response = application.test_client().get("/health")
    return response.status_code, response.get_json()


def test_health_reports_a_key_file_that_cannot_open_the_data(own_app) -> None:
    application = own_app()
    with application.app_context():
        factories.make_case(factories.make_agency())
        db.session.commit()
    assert _health(application) == (200, {"status": "ok", "database": "ok", "keyring": "ok"})
    # Another installation's key file put in place: every case page would fail.
    key_file = Path(application.config["KEY_FILE"])
    key_file.unlink()
    write_keyring_file(key_file, generate_keyring())
    with application.app_context():
        keys.state().forget()
    assert _health(application) == (
        503,
        {"status": "unavailable", "database": "ok", "keyring": "unusable"},
    )
    # A key file that cannot be read at all.
    key_file.write_text("{not json")
    with application.app_context():
        keys.state().forget()
    code, body = _health(application)
    assert (code, body["keyring"]) == (503, "unusable")


def test_a_missing_key_file_says_the_data_needs_its_key(own_app) -> None:
    """`backup verify` (as after a restore) with the key file missing: one line that says the
    stored data needs the key file it was encrypted with, no traceback."""
    application = own_app()
    with application.app_context():
        factories.make_case(factories.make_agency())
        db.session.commit()
        Path(application.config["KEY_FILE"]).unlink()
        keys.state().forget()
        result = application.test_cli_runner().invoke(args=["backup", "verify"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    [line] = result.output.strip().splitlines()
    assert "needs the key file it was encrypted with" in line


def test_cli_errors_are_one_line(own_app) -> None:
    """Key material that cannot be used, for every command that reads it: one line, exit 1."""
    application = own_app()
    Path(application.config["KEY_FILE"]).write_text("{not json")
    with application.app_context():
        keys.state().forget()
        runner = application.test_cli_runner()
        for command in (["keys", "status"], ["keys", "rotate"], ["backup", "verify"]):
            result = runner.invoke(args=command)
            assert result.exit_code == 1, command
            assert "Traceback" not in result.output
            [line] = result.output.strip().splitlines()
            assert line.startswith("Error: "), command
            assert "not valid JSON" in line, command


def test_a_file_name_that_is_not_utf8_gets_a_clear_message(own_app) -> None:
    application = own_app()
    with application.app_context():
        agency = factories.make_agency()
        account = factories.make_user(Role.CASEWORKER, agency)
        case = factories.make_case(agency, assigned_to=account.user)
        db.session.commit()
        client = application.test_client()
        sign_in(client, account)
        path = f"/cases/{case.id}/attachments/new"
        token = csrf_token(client, path)
    body = (
        b'--XX\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + token.encode()
        + b'\r\n--XX\r\nContent-Disposition: form-data; name="file"; '
        b'filename="caf\xe9.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--XX--\r\n'
    )
    response = client.post(path, data=body, content_type="multipart/form-data; boundary=XX")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Form expired" not in page
    assert "usually because a file name is not in UTF-8" in page


def test_a_restore_without_the_key_file_says_the_data_needs_its_key(
    own_app, tmp_path: Path
) -> None:
    """Issue 13, item 8: a missing key file at restore was a Python traceback, and the tools
    then suggested `keys generate` (a new key, which opens nothing)."""
    source = own_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/source/live.sqlite3")
    with source.app_context():
        factories.make_case(factories.make_agency())
        db.session.commit()
        backups = tmp_path / "backups"
        created = source.test_cli_runner().invoke(
            args=["backup", "create", "--output", str(backups)]
        )
    assert created.exit_code == 0, created.output
    [manifest] = backups.glob("*.json")
    dump = manifest.with_name(manifest.name.removesuffix(".json"))
    # A fresh host: the dump, an empty database, and no key file.
    target = own_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/target/new.sqlite3")
    Path(target.config["KEY_FILE"]).unlink()
    with target.app_context():
        keys.state().forget()
        result = target.test_cli_runner().invoke(args=["backup", "restore", str(dump), "--yes"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    # One line (besides the progress bar), which says what the data needs.
    [line] = [each for each in result.output.splitlines() if each.startswith("Error: ")]
    assert "needs the key file it was encrypted with" in line
