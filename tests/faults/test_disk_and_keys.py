"""A full disk, and a key file that cannot be read.

The full disk is real: a small tmpfs filled to the last byte (mounting needs root, which CI
has). At start, the application refuses with a one-line reason naming the folder; during a
request, the write fails cleanly (nothing stored, the next request works once there is room);
an encrypted attachment that does not fit leaves no partial file behind. A key file that
cannot be read stops a production start with a message naming the file and the reason.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask, request
from sqlalchemy import func, select

from casework import ROOT, create_app
from casework.agencies.models import Agency
from casework.core.extensions import db
from casework.encryption import storage
from casework.policy import Action, Role
from casework.web.access import permission
from config import ConfigError
from tests import factories
from tests.conftest import csrf_token, sign_in
from tests.services import need

CANARY = "Zqdisk Canary Agency"


def _write_forever(descriptor: int, piece: bytes) -> None:
    while True:
        os.write(descriptor, piece)


class FullDisk:
    """A mounted tmpfs of `size`; `fill()` takes every free byte, `free()` gives it back."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.filler = root / "filler"

    def fill(self) -> None:
        descriptor = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (1 << 16, 1 << 12, 1):  # big pieces, then the last bytes
                with pytest.raises(OSError, match="No space left"):
                    _write_forever(descriptor, b"\0" * size)
        finally:
            os.close(descriptor)

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[str], FullDisk]]:
    """`small_disk("2m")`: a tmpfs of that size, unmounted afterwards."""
    mounted: list[Path] = []

    def _mount(size: str) -> FullDisk:
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        can_mount = os.geteuid() == 0
        if can_mount:
            result = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(point)],
                capture_output=True,
                check=False,
            )
            can_mount = result.returncode == 0
        need(can_mount, "mounting a small tmpfs needs root (CI runs as root)")
        mounted.append(point)
        return FullDisk(point)

    yield _mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


# ---- at start ------------------------------------------------------------------------------


def _settings(instance: Path, **overrides: Any) -> dict[str, Any]:
    from tests.conftest import TEST_SETTINGS, ensure_key_file

    return {
        **TEST_SETTINGS,
        "INSTANCE_DIR": str(instance),
        "KEY_FILE": ensure_key_file(str(instance)),
        "ATTACHMENT_DIR": str(instance / "attachments"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/test.sqlite3",
        **overrides,
    }


@pytest.mark.parametrize(
    ("setting", "env_name"),
    [
        ("ATTACHMENT_DIR", "testing"),
        ("SESSION_FILE_DIR", "development"),
        ("DATABASE_URL (SQLite folder)", "testing"),
    ],
)
def test_full_disk_at_start_is_refused_naming_the_folder(
    small_disk, tmp_path: Path, setting: str, env_name: str
) -> None:
    disk = small_disk("256k")
    folder = disk.root / "data"
    folder.mkdir()
    disk.fill()
    overrides: dict[str, Any] = {"ENV_NAME": env_name, "SESSION_FILE_DIR": str(tmp_path / "s")}
    if setting == "ATTACHMENT_DIR":
        overrides["ATTACHMENT_DIR"] = str(folder)
    elif setting == "SESSION_FILE_DIR":
        overrides["SESSION_FILE_DIR"] = str(folder)
    else:
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{folder}/casework.sqlite3"
    with pytest.raises(ConfigError) as refused:
        create_app(_settings(tmp_path, **overrides))
    message = str(refused.value)
    assert message.startswith("Refusing to start: cannot write to ")
    assert setting in message
    assert str(folder) in message
    assert "the disk is full" in message
    assert not [p for p in folder.iterdir() if p.name.startswith(".write-check")]
    disk.free()
    create_app(_settings(tmp_path, **overrides))  # with room again, it starts


def test_read_only_folder_is_refused(tmp_path: Path, small_disk) -> None:
    disk = small_disk("64k")
    subprocess.run(["mount", "-o", "remount,ro", str(disk.root)], check=True)
    with pytest.raises(ConfigError, match="the filesystem is read-only"):
        create_app(_settings(tmp_path, ATTACHMENT_DIR=str(disk.root / "attachments")))


def _run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_command_line_refuses_in_one_clear_line(small_disk, tmp_path: Path) -> None:
    disk = small_disk("256k")
    disk.fill()
    result = _run_cli(
        {
            "CASEWORK_ENV": "development",
            "CASEWORK_INSTANCE_DIR": str(tmp_path),
            "CASEWORK_ATTACHMENT_DIR": str(disk.root / "attachments"),
            "DATABASE_URL": f"sqlite:///{tmp_path}/casework.sqlite3",
        },
        "routes",
    )
    assert result.returncode != 0
    assert "Refusing to start: cannot write to ATTACHMENT_DIR" in result.stderr
    assert "the disk is full" in result.stderr
    assert "Traceback" not in result.stderr


# ---- during a request ------------------------------------------------------------------------


def _writer() -> Blueprint:
    routes = Blueprint("disk_fault", __name__, url_prefix="/fault")

    @routes.route("/agency", methods=["POST"])
    @permission(Action.MANAGE_OWN_ACCOUNT)
    def add_agency() -> str:
        db.session.add(Agency(name=request.form["name"], country="TH", org_type="NGO"))
        # Enough rows that the database must grow past the pages it already has.
        for n in range(200):
            db.session.add(
                Agency(
                    name=f"{request.form['name']} {n} {uuid.uuid4().hex * 2}",
                    country="TH",
                    org_type="NGO",
                )
            )
        db.session.flush()
        return "saved"

    return routes


def test_full_disk_during_a_request(small_disk, own_app, app_log) -> None:
    disk = small_disk("2m")
    application = own_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{disk.root}/casework.sqlite3")
    application.register_blueprint(_writer())
    with application.app_context():
        account = factories.make_user(Role.ADMIN)
        db.session.commit()
        client = application.test_client()
        sign_in(client, account)
    log = app_log()
    token = csrf_token(client, "/account")
    disk.fill()

    response = client.post("/fault/agency", data={"name": CANARY, "csrf_token": token})
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Nothing was saved" in body
    assert "Traceback" not in body
    assert "full" not in body.lower().replace("fullname", "")
    assert CANARY not in body
    assert CANARY not in log.getvalue()
    with application.app_context():
        stored = db.session.scalar(
            select(func.count()).select_from(Agency).where(Agency.name.startswith(CANARY))
        )
    assert stored == 0

    disk.free()
    again = client.post("/fault/agency", data={"name": CANARY, "csrf_token": token})
    assert again.status_code == 200
    with application.app_context():
        stored = db.session.scalar(
            select(func.count()).select_from(Agency).where(Agency.name.startswith(CANARY))
        )
    assert stored == 201


def test_attachment_that_does_not_fit_leaves_nothing(small_disk, app: Flask) -> None:
    disk = small_disk("256k")
    folder = disk.root / "attachments"
    folder.mkdir()
    owner = factories.make_user().user
    db.session.commit()
    previous = app.config["ATTACHMENT_DIR"]
    app.config["ATTACHMENT_DIR"] = str(folder)
    try:
        with pytest.raises(OSError, match="No space left") as failed:
            storage.store_file(owner, io.BytesIO(os.urandom(1024 * 1024)))
        assert failed.value.errno == errno.ENOSPC
        assert list(folder.iterdir()) == []
        stored = storage.store_file(owner, io.BytesIO(b"fits"))
        assert b"".join(storage.read_file(owner, stored.storage_name, stored.wrapped_key)) == (
            b"fits"
        )
    finally:
        app.config["ATTACHMENT_DIR"] = previous


# ---- the key file ----------------------------------------------------------------------------


def _refusal(settings: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as refused:
        create_app(settings)
    return str(refused.value)


def test_unreadable_key_file_is_named(production_settings: dict[str, Any]) -> None:
    """A key file the service cannot read (mode 0000). Root reads anything, so as root the
    start runs without the capabilities that bypass file permissions (setpriv)."""
    path = Path(production_settings["KEY_FILE"])
    path.chmod(0)
    prefix: list[str] = []
    if os.geteuid() == 0:
        need(shutil.which("setpriv") is not None, "setpriv (util-linux) is not installed")
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    script = (
        "import sys\n"
        "from casework import create_app\n"
        "from config import ConfigError\n"
        f"settings = {production_settings!r}\n"
        "try:\n"
        "    create_app(settings)\n"
        "except ConfigError as refusal:\n"
        "    print(refusal)\n"
        "    sys.exit(3)\n"
    )
    result = subprocess.run(
        [*prefix, sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 3, result.stderr
    message = result.stdout.strip()
    assert message.startswith("Refusing to start in production")
    assert f"key file {str(path)!r} cannot be read (Permission denied)" in message
    assert "Traceback" not in result.stdout + result.stderr
