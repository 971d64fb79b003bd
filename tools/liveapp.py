"""A real Casework server for tools that test it from outside (security scan, load test):
a fresh instance folder with its own keys, database and demo data, gunicorn on a free
loopback port, and sign-in over HTTP with the one-time code from `flask demo-code`.

Standard library only, so it runs with the project's virtualenv and nothing else.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SESSION_COOKIE = "casework_session"
CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def reset_postgres(url: str) -> None:
    """Empty a PostgreSQL database that exists only for this tool (its name must say so)."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not str(parsed.database).endswith(("_security", "_load")):
        raise SystemExit(f"refusing to empty {parsed.database!r}: use a *_security or *_load db")
    dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def prepare_instance(
    instance: Path, database_url: str | None = None, **extra: str
) -> dict[str, str]:
    """A new instance folder (keys, database, demo data); returns the environment to run in."""
    shutil.rmtree(instance, ignore_errors=True)
    instance.mkdir(parents=True, mode=0o700)
    env = {
        **os.environ,
        "CASEWORK_ENV": "development",
        "CASEWORK_INSTANCE_DIR": str(instance),
        "CASEWORK_KEY_FILE": str(instance / "keys.json"),
        "CASEWORK_ATTACHMENT_DIR": str(instance / "attachments"),
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database_url or f"sqlite:///{instance / 'casework.sqlite3'}",
        "LOG_LEVEL": "INFO",
        **extra,
    }
    if "REDIS_URL" not in extra:
        env.pop("REDIS_URL", None)  # sessions in the instance folder unless asked otherwise
    if env["DATABASE_URL"].startswith("postgresql"):
        reset_postgres(env["DATABASE_URL"])
    flask(env, "keys", "generate")
    flask(env, "db", "upgrade")
    flask(env, "demo")
    return env


def flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed argument list
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def demo_users(env: dict[str, str]) -> list[dict[str, str]]:
    return list(json.loads(flask(env, "demo", "--json"))["users"])


@dataclass
class Server:
    base_url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_lines(self) -> list[dict[str, Any]]:
        lines = []
        for raw in self.log_path.read_text(errors="replace").splitlines():
            if raw.startswith("{"):
                try:
                    lines.append(json.loads(raw))
                except ValueError:
                    continue
        return lines


def start_server(env: dict[str, str], log_path: Path, workers: int = 2, threads: int = 4) -> Server:
    port = free_port()
    log = log_path.open("wb")
    process = subprocess.Popen(  # noqa: S603 - fixed argument list
        [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "120",
            "--error-logfile",
            "-",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", env, process, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/health", timeout=2) as answer:  # noqa: S310 - loopback http
                if answer.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    server.stop()
    raise RuntimeError("the server did not answer /health within 60 s")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Client:
    """A cookie-keeping HTTP client that does not follow redirects."""

    base_url: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, body, Location) of a GET, or a POST when `data` is given."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310 - loopback
        try:
            with self.opener.open(req, timeout=30) as answer:
                return answer.status, answer.read().decode(), answer.headers.get("Location", "")
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read().decode(), answer.headers.get("Location", "")

    def csrf(self, path: str) -> str:
        status, body, _ = self.request(path)
        match = CSRF.search(body)
        if status != 200 or not match:
            raise RuntimeError(f"no form on {path} (status {status})")
        return match.group(1) or match.group(2)

    def cookie(self, name: str = SESSION_COOKIE) -> str:
        for cookie in self.jar:
            if cookie.name == name and cookie.value:
                return cookie.value
        raise RuntimeError(f"no {name} cookie")


def sign_in(server: Server, email: str, password: str) -> Client:
    """The real two-step sign-in; the code comes from `flask demo-code`."""
    client = Client(server.base_url)
    token = client.csrf("/sign-in")
    status, _, location = client.request(
        "/sign-in", {"email": email, "password": password, "csrf_token": token}
    )
    if status != 302 or not location.endswith("/sign-in/code"):
        raise RuntimeError(f"password step for {email} answered {status}")
    code = flask(server.env, "demo-code", email).strip()
    token = client.csrf("/sign-in/code")
    status, _, location = client.request("/sign-in/code", {"code": code, "csrf_token": token})
    if status != 302 or "/sign-in" in location:
        raise RuntimeError(f"code step for {email} answered {status}")
    return client


def still_signed_in(client: Client) -> bool:
    status, _, _ = client.request("/account")
    return status == 200
