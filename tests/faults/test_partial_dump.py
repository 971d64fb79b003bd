"""A dump being written is never readable by others, and a failed one leaves nothing behind
(issue 13, item 4: a partial dump from a killed `backup create` was left mode 0644)."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from casework.backup import dump as dump_module
from casework.backup.dump import create_backup


def test_a_dump_in_progress_is_private_and_a_failed_one_is_removed(
    own_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = own_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/db/live.sqlite3")
    backups = tmp_path / "backups"
    seen: list[int] = []

    def killed_half_way(source: Path, target: Path, progress: object) -> None:
        sqlite3.connect(target).close()  # what the real copy does first: open (or create) it
        seen.append(stat.S_IMODE(target.stat().st_mode))
        raise KeyboardInterrupt  # the operator's Ctrl-C, or a kill the process survives to see

    monkeypatch.setattr(dump_module, "_sqlite_copy", killed_half_way)
    old_umask = os.umask(0o022)  # a usual umask: new files would be 0644
    try:
        with application.app_context(), pytest.raises(KeyboardInterrupt):
            create_backup(backups, Path(application.config["KEY_FILE"]))
    finally:
        os.umask(old_umask)
    assert seen == [0o600]
    assert list(backups.iterdir()) == []
