"""`flask seed --cases N` into a fresh PostgreSQL database: wall time (goal: 100,000 cases in
under two minutes on this machine), and the same N on SQLite for comparison.

    .venv/bin/python benchmarks/seed_bench.py [--cases 100000] [--postgres URL]

URL defaults to postgresql+psycopg://postgres@127.0.0.1:5432/postgres; a scratch database
casework_seed_bench is created next to it and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(ROOT / ".venv" / "bin" / "flask")


def run(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    # Our own flask command with arguments built here, never from outside input.
    subprocess.run([FLASK, "--app", "wsgi", *args], cwd=ROOT, env=env, check=True)  # noqa: S603
    return time.perf_counter() - started


def seed_into(database_url: str, cases: int, workdir: Path) -> float:
    env = {**os.environ, "CASEWORK_INSTANCE_DIR": str(workdir), "DATABASE_URL": database_url}
    if not (workdir / "keys.json").exists():
        run(env, "keys", "generate")
    run(env, "db", "upgrade")
    return run(env, "seed", "--cases", str(cases), "--seed", "2026")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()

    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    scratch = "casework_seed_bench"
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {scratch}"))
        conn.execute(text(f"CREATE DATABASE {scratch}"))
    pg_url = make_url(args.postgres).set(database=scratch).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            pg_seconds = seed_into(pg_url, args.cases, Path(tmp))
            print(f"PostgreSQL: {args.cases} cases in {pg_seconds:.1f} s (goal < 120 s)")
            if not args.skip_sqlite:
                sqlite_url = f"sqlite:///{tmp}/seed.sqlite3"
                sqlite_seconds = seed_into(sqlite_url, args.cases, Path(tmp))
                print(f"SQLite:     {args.cases} cases in {sqlite_seconds:.1f} s")
                print(f"PostgreSQL / SQLite: {pg_seconds / sqlite_seconds:.2f}x")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"))
    sys.exit(0)


if __name__ == "__main__":
    main()
