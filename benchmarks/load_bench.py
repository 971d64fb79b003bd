"""Load test: the roles' journeys (benchmarks/load/locustfile.py) against gunicorn with
several workers on PostgreSQL and Redis, with N seeded cases.

    .venv/bin/python benchmarks/load_bench.py [--cases 100000] [--users 8] [--seconds 60]

Creates a scratch database casework_load (reused with --reuse), loads the demo accounts and
seeds N cases, serves on 127.0.0.1 with gunicorn (GUNICORN_WORKERS, default 4), runs locust
headless from its own virtualenv (.venv-load, `pip install -e ".[load]"`), then prints requests
per second, p50 and p95 per page, errors, and the ratio of the case list page to a minimal
signed-in page measured in the same run.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"
LOAD_VENV = ROOT / ".venv-load"


def sh(args: list[str], env: dict[str, str], **kwargs: object) -> None:
    subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)  # noqa: S603 - own commands


def ensure_load_venv() -> Path:
    locust = LOAD_VENV / "bin" / "locust"
    if not locust.exists():
        sh([sys.executable, "-m", "venv", str(LOAD_VENV)], dict(os.environ))
        sh([str(LOAD_VENV / "bin" / "pip"), "install", "-q", "-e", ".[load]"], dict(os.environ))
    return locust


def prepare(env: dict[str, str], cases: int, reuse: bool) -> None:
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]
    if not reuse:
        sh(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-qc",
                "DROP DATABASE IF EXISTS casework_load",
            ],
            env,
        )
        sh(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "CREATE DATABASE casework_load"],
            env,
        )
    if not Path(env["CASEWORK_KEY_FILE"]).exists():
        sh([*flask, "keys", "generate"], env)
    sh([*flask, "db", "upgrade"], env)
    sh([*flask, "demo"], env)
    if not reuse:
        sh([*flask, "seed", "--cases", str(cases)], env)


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url}")


def report(stats_csv: Path) -> None:
    rows = list(csv.DictReader(stats_csv.open()))
    print(f"{'page':44} {'requests':>9} {'errors':>7} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>7}")
    medians: dict[str, float] = {}
    for row in rows:
        name = f"{row['Type']} {row['Name']}".strip()
        medians[name] = float(row["Median Response Time"])
        print(
            f"{name:44} {row['Request Count']:>9} {row['Failure Count']:>7} "
            f"{row['Median Response Time']:>7} {row['95%']:>7} {float(row['Requests/s']):>7.1f}"
        )
    minimal = medians.get("GET minimal signed-in page (account)")
    case_list = medians.get("GET case list")
    if minimal and case_list:
        print(f"case list / minimal signed-in page (p50): {case_list / minimal:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true", help="keep casework_load as it is")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="casework-load-"))
    instance = ROOT / "build" / "load-instance"
    instance.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "CASEWORK_INSTANCE_DIR": str(instance),
        "CASEWORK_KEY_FILE": str(instance / "keys.json"),
        "DATABASE_URL": PG + "casework_load",
        "REDIS_URL": "redis://127.0.0.1:6379/7",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
    }
    locust = ensure_load_venv()
    prepare(env, args.cases, args.reuse)
    server = subprocess.Popen(  # noqa: S603 - our gunicorn, fixed arguments
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "gunicorn.log").open("w"),
    )
    try:
        wait_for(f"http://127.0.0.1:{args.port}/health")
        out = ROOT / "build" / "load"
        out.mkdir(parents=True, exist_ok=True)
        # locust exits 1 when any request failed: the report below counts the errors.
        subprocess.run(  # noqa: S603
            [
                str(locust),
                "-f",
                "benchmarks/load/locustfile.py",
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(args.users),
                "-t",
                f"{args.seconds}s",
                "--host",
                f"http://127.0.0.1:{args.port}",
                "--csv",
                str(out / "stats"),
                "--only-summary",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(workdir / "locust.log").open("w"),
            check=False,
        )
        report(out / "stats_stats.csv")
        print(f"gunicorn workers: {os.environ.get('GUNICORN_WORKERS', '4')}; log: {workdir}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
