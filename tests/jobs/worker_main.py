"""A worker process for the tests: the app as `flask worker` runs it, with the tests' slow job
declared too. Usage: python -m tests.jobs.worker_main INSTANCE_DIR DATABASE_URL."""

from __future__ import annotations

import sys

from casework.jobs.cli import worker
from tests.conftest import build_app
from tests.jobs import slow_job  # noqa: F401 - declares the tests' job


def main() -> None:
    instance_dir, database_url = sys.argv[1], sys.argv[2]
    app = build_app(
        instance_dir,
        SQLALCHEMY_DATABASE_URI=database_url,
        JOBS_MODE="worker",
        JOBS_LEASE_SECONDS=2,
    )
    with app.app_context():
        worker.main(args=["--threads", "1", "--no-schedule"], standalone_mode=False)


if __name__ == "__main__":
    main()
