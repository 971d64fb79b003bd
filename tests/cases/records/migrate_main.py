"""A `flask attachments migrate` process that kills itself (SIGKILL) part-way, for the
migration tests.

Usage: python -m tests.cases.records.migrate_main INSTANCE_DIR DATABASE_URL WHERE N
WHERE is "copying" (in the middle of copying the N-th file's pieces, before its batch is
committed) or "removed" (right after the N-th file is removed, before its name is cleared).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator

from casework.cases.attachments import migration
from tests.conftest import build_app


def main() -> None:
    instance_dir, database_url, where, n = sys.argv[1:5]
    app = build_app(instance_dir, SQLALCHEMY_DATABASE_URI=database_url)
    count = 0
    if where == "copying":
        real_pieces = migration.file_pieces

        def pieces(storage_name: str) -> Iterator[bytes]:
            nonlocal count
            count += 1
            for index, piece in enumerate(real_pieces(storage_name)):
                if count == int(n) and index == 2:
                    os.kill(os.getpid(), signal.SIGKILL)
                yield piece

        migration.file_pieces = pieces  # type: ignore[assignment]
    else:
        real_delete = migration.delete_file

        def delete(storage_name: str) -> None:
            nonlocal count
            real_delete(storage_name)
            count += 1
            if count == int(n):
                os.kill(os.getpid(), signal.SIGKILL)

        migration.delete_file = delete  # type: ignore[assignment]
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["attachments", "migrate", "--batch", "3"])
    sys.stdout.write(result.output)
    sys.exit(result.exit_code)


if __name__ == "__main__":
    main()
