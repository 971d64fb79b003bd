"""A `flask keys rotate` process for the custody tests, optionally with its disk writes slowed.

Usage: python -m tests.faults.rotate_main INSTANCE_DIR DATABASE_URL BARRIER SLOW_SECONDS
The app is built first; then the process writes a file `BARRIER.<pid>` and waits until there
are two such files, so that two of them start rotating at the same instant (however long each
took to start); with SLOW_SECONDS > 0 every fsync of the key file's
writer sleeps that long first (a slow or busy disk). Prints the command's output and exits with
its status.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from casework.crypto import keyfile
from tests.conftest import build_app


def main() -> None:
    instance_dir, database_url, barrier, slow = sys.argv[1:5]
    app = build_app(instance_dir, SQLALCHEMY_DATABASE_URI=database_url)
    if float(slow) > 0:
        real_fsync = os.fsync

        def slow_fsync(fd: int) -> None:
            time.sleep(float(slow))
            real_fsync(fd)

        keyfile.os.fsync = slow_fsync  # type: ignore[attr-defined]
    folder, name = Path(barrier).parent, Path(barrier).name
    (folder / f"{name}.{os.getpid()}").touch()
    deadline = time.monotonic() + 120
    while len(list(folder.glob(f"{name}.*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["keys", "rotate", "--no-progress"])
    sys.stdout.write(result.output)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        sys.stdout.write(f"CRASH {type(result.exception).__name__}: {result.exception}\n")
    sys.exit(result.exit_code)


if __name__ == "__main__":
    main()
