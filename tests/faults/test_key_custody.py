"""Key custody (issue 13, item 1): two operators rotating at once cannot lose a key; a key that
stored data names is never written out of the key file; an interrupted operation is journaled,
reported and resumed.

The audit: two `keys rotate` at once both created a new key; with one process's disk sync
slowed, the other's key ended in no file and every data key became unreadable, while a process
printed "Nothing is left under an older key".
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from casework import ROOT
from casework.cases.models import Case
from casework.core.extensions import db
from casework.encryption import cli as keys_cli
from casework.encryption import custody, keys
from casework.encryption.models import DataKey
from tests import factories
from tests.test_migrations import postgres_scratch_url  # noqa: F401 - shared fixture

CASES = 30
REFUSED = "Another key operation is running"


@pytest.fixture(params=["sqlite", "postgresql"])
def keyed_app(request: pytest.FixtureRequest, own_app: Callable[..., Flask], tmp_path) -> Flask:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/custody.sqlite3"
    else:
        url = str(request.getfixturevalue("postgres_scratch_url"))
    return own_app(SQLALCHEMY_DATABASE_URI=url)


@pytest.fixture
def ctx(keyed_app: Flask) -> Iterator[Flask]:
    with keyed_app.app_context():
        yield keyed_app


def seed(count: int = CASES) -> dict[object, str]:
    """Cases with encrypted names: {case id: name}."""
    agency = factories.make_agency()
    names = {}
    for n in range(count):
        case = factories.make_case(agency, full_name=f"Person {n}")
        names[case.id] = f"Person {n}"
    db.session.commit()
    return names


def key_file(app: Flask) -> dict[str, object]:
    return json.loads(Path(app.config["KEY_FILE"]).read_text())


def assert_nothing_lost(app: Flask, names: dict[object, str]) -> None:
    """Every key a data key names is in the key file, and every case reads."""
    keys.state().forget()
    db.session.expire_all()
    on_file = set(key_file(app)["keys"])  # type: ignore[arg-type]
    named = set(db.session.scalars(select(DataKey.kek_id).where(DataKey.wrapped.is_not(None))))
    assert named <= on_file, f"data keys name keys missing from the key file: {named - on_file}"
    for case_id, name in names.items():
        case = db.session.get_one(Case, case_id)
        assert case.person is not None
        assert case.person.full_name == name
    db.session.rollback()


def run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["keys", *args])
    return result.exit_code, result.output


def rotation_process(app: Flask, barrier: Path, slow: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.faults.rotate_main",
            app.config["INSTANCE_DIR"],
            app.config["SQLALCHEMY_DATABASE_URI"],
            str(barrier),
            str(slow),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_rotations_started_at_once_lose_nothing(ctx: Flask, tmp_path: Path) -> None:
    """Two processes, started at the same instant; one's key-file write slowed by 3 s."""
    names = seed()
    barrier = tmp_path / "start"  # both go once both are ready
    slow = rotation_process(ctx, barrier, slow=3.0)
    fast = rotation_process(ctx, barrier, slow=0.0)
    outputs = [process.communicate(timeout=180)[0] for process in (slow, fast)]
    codes = [slow.returncode, fast.returncode]
    for code, output in zip(codes, outputs, strict=True):
        assert "Traceback" not in output
        assert "CRASH" not in output
        if code != 0:
            assert code == 1
            assert REFUSED in output, output
    assert 0 in codes, outputs
    assert_nothing_lost(ctx, names)
    # And the next rotation, alone, finishes with everything under one key.
    code, output = run(ctx, "rotate", "--no-progress")
    assert code == 0, output
    assert "Nothing is left under an older key" in output
    assert_nothing_lost(ctx, names)


def test_a_rotation_is_refused_while_another_holds_the_key_file(ctx: Flask) -> None:
    names = seed(3)
    before = key_file(ctx)
    with custody.exclusive(Path(ctx.config["KEY_FILE"])):
        for command in (["rotate", "--no-progress"], ["rotate-index", "--no-progress"]):
            code, output = run(ctx, *command)
            assert code == 1
            assert REFUSED in output
            assert output.count("\n") == 1, "one line"
    assert key_file(ctx) == before
    assert_nothing_lost(ctx, names)


def test_a_key_that_data_keys_name_is_never_written_out(ctx: Flask) -> None:
    seed(2)
    path = Path(ctx.config["KEY_FILE"])
    with custody.exclusive(path) as held:
        active = held.keyring.active_key_id
        rotated = held.keyring.with_new_active_key()
        # A writer that would drop the key the data keys are under (the audit's lost key).
        with pytest.raises(custody.CustodyError, match="stored data keys still need"):
            custody.save(held, rotated.without_key(active), dropping=active)
        with pytest.raises(custody.CustodyError, match="without key"):
            custody.save(held, rotated.without_key(active))
    assert active in key_file(ctx)["keys"]  # type: ignore[operator]


def test_an_interrupted_rotation_is_reported_and_resumed(
    ctx: Flask, monkeypatch: pytest.MonkeyPatch, app_log
) -> None:
    names = seed(5)

    def interrupted(*args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(keys_cli, "_rewrap_all", interrupted)
    code, _ = run(ctx, "rotate", "--no-progress")
    assert code != 0
    new_key = str(key_file(ctx)["active"])
    monkeypatch.undo()

    code, output = run(ctx, "status")
    assert code == 0
    assert f"Unfinished: `keys rotate` (key {new_key})" in output
    assert "run the same command again to resume it" in output
    # Said at start too (in the log).
    stream = app_log()
    keys.report_unfinished_operations(ctx)
    assert "keys.unfinished_operation" in stream.getvalue()
    # Retiring anything waits for it.
    old = next(k for k in key_file(ctx)["keys"] if k != new_key)  # type: ignore[union-attr]
    code, output = run(ctx, "retire", old)
    assert code == 1
    assert "did not finish" in output

    code, output = run(ctx, "rotate", "--no-progress")
    assert code == 0, output
    assert f"Resuming `keys rotate` (key {new_key})" in output
    assert key_file(ctx)["active"] == new_key, "resumed: no second new key"
    assert "Nothing is left under an older key" in output
    code, output = run(ctx, "status")
    assert "Unfinished" not in output
    assert_nothing_lost(ctx, names)
    code, output = run(ctx, "retire", old)
    assert code == 0, output
    assert_nothing_lost(ctx, names)
