"""Each pytest-xdist worker gets services of its own (decision 0051).

`make test` runs the suite in several worker processes (`pytest -n`). Before anything reads
the environment (tests/__init__.py calls `isolate_worker()` first, so even `config.py`, which
reads it at import, sees the result), a worker rewrites it so that nothing it does meets
another worker:

- TEST_DATABASE_URL and TEST_POSTGRES_URL: the same server, the database name + `_gw0`,
  `_gw1`, ... (created by `create_worker_databases()` when missing, and kept, like the
  configured one);
- REDIS_URL: the configured database number + the worker's index (`/13` becomes `/13` for gw0
  and `/14` for gw1), so session and rate-limit keys, and `limiter.reset()`, stay apart;
- the SQLite test database, instance folders and temporary files live under pytest's
  `tmp_path_factory`, which is already one folder per worker; live servers (browser tests,
  federation, running-app reports, SMTP, a private redis-server) bind port 0.

Child processes (`flask seed`, a served app, a job worker) inherit the rewritten environment;
CASEWORK_TEST_WORKER marks it as done so a child that imports `tests` does not rewrite it
again. Without xdist (`pytest tests/x.py`, the land script) nothing changes.
"""

from __future__ import annotations

import os

from sqlalchemy.engine import make_url

DONE = "CASEWORK_TEST_WORKER"
DATABASE_VARIABLES = ("TEST_DATABASE_URL", "TEST_POSTGRES_URL")
REDIS_DATABASES = 16  # redis-server's default `databases`


def worker_id() -> str | None:
    """`gw0`, `gw1`, ... in an xdist worker; None otherwise."""
    return os.environ.get("PYTEST_XDIST_WORKER") or None


def worker_database_url(url: str, worker: str) -> str:
    """A PostgreSQL URL with the worker's suffix on its database name; others unchanged."""
    if not url.startswith("postgresql"):
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


def worker_redis_url(url: str, worker: str) -> str:
    """The Redis URL with the database number moved on by the worker's index."""
    parsed = make_url(url)
    base = int(parsed.database or 0)
    number = base + int(worker.removeprefix("gw"))
    if number >= REDIS_DATABASES:
        raise RuntimeError(
            f"REDIS_URL database {base} leaves no database {number} for xdist worker {worker}: "
            f"choose a database number at most {REDIS_DATABASES} minus the number of workers"
        )
    return parsed.set(database=str(number)).render_as_string(hide_password=False)


def isolate_worker() -> None:
    worker = worker_id()
    if worker is None or os.environ.get(DONE):
        return
    for name in DATABASE_VARIABLES:
        if os.environ.get(name):
            os.environ[name] = worker_database_url(os.environ[name], worker)
    if os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = worker_redis_url(os.environ["REDIS_URL"], worker)
    os.environ[DONE] = worker


def create_worker_databases() -> None:
    """The worker's PostgreSQL databases, created when missing (a no-op without xdist, and
    when PostgreSQL is not configured or not reachable: the tests that need it then skip,
    or fail under CI, as they would without xdist)."""
    if worker_id() is None:
        return
    import psycopg

    urls = {
        os.environ[n] for n in DATABASE_VARIABLES if os.environ.get(n, "").startswith("postgresql")
    }
    for url in sorted(urls):
        parsed = make_url(url)
        admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(
            hide_password=False
        )
        try:
            with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
                found = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
                ).fetchone()
                if found is None:
                    conn.execute(f'CREATE DATABASE "{parsed.database}"')
        except psycopg.Error:
            continue
