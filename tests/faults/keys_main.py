"""A `flask keys ...` process for the fault tests, its work slowed so that a kill at a random
moment lands anywhere in it (before, between and inside its steps).

Usage: python -m tests.faults.keys_main INSTANCE_DIR DATABASE_URL SLOW_SECONDS COMMAND...
With SLOW_SECONDS > 0, records are handled a few at a time and each batch sleeps that long
first (a big database). Prints the command's output and exits with its status.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from casework.encryption import cli as keys_cli
from tests.conftest import build_app

SMALL_BATCH = 4


def main() -> None:
    instance_dir, database_url, slow, *command = sys.argv[1:]
    app = build_app(instance_dir, SQLALCHEMY_DATABASE_URI=database_url)
    pause = float(slow)
    if pause > 0:
        keys_cli.BATCH = SMALL_BATCH
        real_batch = getattr(keys_cli, "_recompute_batch", None)
        if real_batch is not None:

            def slowed_batch(*args: Any) -> Any:
                time.sleep(pause)
                return real_batch(*args)

            keys_cli._recompute_batch = slowed_batch  # type: ignore[attr-defined]
        real_rewrap = keys_cli.rewrap

        def slowed_rewrap(*args: Any) -> Any:
            time.sleep(pause / SMALL_BATCH)
            return real_rewrap(*args)

        keys_cli.rewrap = slowed_rewrap  # type: ignore[assignment]
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["keys", *command])
    sys.stdout.write(result.output)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        sys.stdout.write(f"CRASH {type(result.exception).__name__}: {result.exception}\n")
    sys.exit(result.exit_code)


if __name__ == "__main__":
    main()
