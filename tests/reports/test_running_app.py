"""The must-show flow of the reports issue, in the running app.

A scratch instance like `make run` makes one (its own folder, SQLite database, keys and
secret key; the demo data, and generated cases since the demo has few or none), served by a
real `flask run` on a free port and driven over HTTP. The demo coordinator signs in with the
password from `flask demo --json` and the code from `flask demo-code`, builds the quarterly
regional report, sees hidden cells marked, downloads CSV, XLSX and JSON and a signed release,
which `flask release verify` accepts and rejects once a byte is changed. The same coordinator
gets 404 from every URL that names a case, referral or person.
"""

from __future__ import annotations

import csv
import http.cookiejar
import io
import json
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest
from flask import Flask

from casework.devdata.seed.weights import LAST_DAY
from casework.reports.request import Period

ROOT = Path(__file__).resolve().parents[2]
SEEDED_CASES = 80  # thin data, as a new instance has: most cells are hidden
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
# Settings that would point the scratch instance at the test run's database, Redis or keys.
PRIVATE_PREFIXES = ("CASEWORK_", "DATABASE_", "REDIS_", "SECRET_", "TEST_", "FLASK_")


@dataclass
class Instance:
    folder: Path
    env: dict[str, str]
    base: str

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=check,
        )

    def database(self) -> sqlite3.Connection:
        return sqlite3.connect(self.folder / "casework.sqlite3")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """Cookies, no automatic redirects: each answer is seen as the server gave it."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirects
        )

    def request(
        self, path: str, data: dict[str, str] | None = None, timeout: float = 30
    ) -> tuple[int, Message, bytes]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=timeout) as answer:
                return answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def page(self, path: str) -> str:
        status, _headers, body = self.request(path)
        assert status == 200, (path, status)
        return body.decode()

    def token(self, path: str) -> str:
        match = CSRF.search(self.page(path))
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post(
        self, path: str, data: dict[str, str], form_page: str | None = None, timeout: float = 30
    ) -> int:
        data = {**data, "csrf_token": self.token(form_page or path)}
        return self.request(path, data, timeout)[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    folder = tmp_path_factory.mktemp("reports-demo")
    folder.chmod(0o700)
    (folder / "secret_key").write_text(secrets.token_urlsafe(48))
    env = {k: v for k, v in os.environ.items() if not k.startswith(PRIVATE_PREFIXES)}
    env |= {"CASEWORK_INSTANCE_DIR": str(folder), "CASEWORK_ENV": "development"}
    port = free_port()
    scratch = Instance(folder, env, f"http://127.0.0.1:{port}")
    scratch.flask("keys", "generate")
    scratch.flask("db", "upgrade")
    scratch.flask("demo")
    scratch.flask("seed", "--cases", str(SEEDED_CASES), "--seed", "7")
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(scratch.base + "/health", timeout=2):  # noqa: S310 - loopback http
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("flask run did not start") from None
                time.sleep(0.2)
        yield scratch
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def coordinator(instance: Instance) -> Browser:
    users = json.loads(instance.flask("demo", "--json").stdout)["users"]
    account = next(u for u in users if u["role"] == "coordinator")
    browser = Browser(instance.base)
    status, headers, _ = browser.request(
        "/sign-in",
        {
            "email": account["email"],
            "password": account["password"],
            "csrf_token": browser.token("/sign-in"),
        },
    )
    assert status == 302
    assert headers["Location"].endswith("/sign-in/code")
    code = instance.flask("demo-code", account["email"]).stdout.split()[-1]
    assert browser.post("/sign-in/code", {"code": code}) == 302
    return browser


def a_quarter_with_cases(page: str) -> str:
    """The latest quarter the report offers that the generated cases fall in."""
    offered = re.findall(r'<option[^>]*value="(\d{4}-Q[1-4])"', page)
    with_cases = [key for key in offered if Period(key).start <= LAST_DAY]
    assert with_cases, "no offered quarter overlaps the generated cases"
    return with_cases[0]


def test_coordinator_builds_downloads_and_verifies_the_quarterly_report(
    instance: Instance, coordinator: Browser, tmp_path: Path
) -> None:
    assert "Prepare the figures" in coordinator.page("/reports/regional")
    period = a_quarter_with_cases(coordinator.page("/reports/regional/report"))
    report = f"/reports/regional/report?period={period}"
    assert "Build the report" in coordinator.page(report)
    built = coordinator.post(
        "/reports/regional/report", {"period": period, "mode": "standard"}, report
    )
    assert built == 302
    html = coordinator.page(report)
    assert "Median days from identification to first service" in html
    assert "hidden to protect confidentiality" in html  # cells marked x, with an explanation
    assert "cells are hidden (x)" in html

    status, headers, body = coordinator.request(f"/reports/regional/report.csv?period={period}")
    assert status == 200
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert ["k", "10"] in rows
    assert ["period", period] in rows
    assert any("x" in row[1:] for row in rows)
    status, _headers, body = coordinator.request(f"/reports/regional/report.json?period={period}")
    assert status == 200
    data = json.loads(body)
    counts = [
        value
        for table in data["tables"]
        if table["statistic"] == "count"
        for row in table["values"]
        for value in row
    ]
    assert None in counts
    assert all(value is None or value == 0 or value >= 10 for value in counts)
    if not any(counts):  # thin data: nothing could be shown, and the page says so plainly
        assert "No figure of this report can be shown" in html
    status, _headers, body = coordinator.request(f"/reports/regional/report.xlsx?period={period}")
    assert status == 200
    with zipfile.ZipFile(io.BytesIO(body)) as workbook:
        assert "<t>x</t>" in workbook.read("xl/sharedStrings.xml").decode()

    status, _headers, package = coordinator.request(
        f"/reports/regional/release.zip?period={period}"
    )
    assert status == 200
    release = tmp_path / "release.zip"
    release.write_bytes(package)
    verified = instance.flask("release", "verify", str(release), check=False)
    assert verified.returncode == 0, verified.stderr
    assert "Release verified" in verified.stdout
    tampered = bytearray(package)
    tampered[len(tampered) // 2] ^= 0x01
    release.write_bytes(bytes(tampered))
    refused = instance.flask("release", "verify", str(release), check=False)
    assert refused.returncode != 0
    assert "NOT verified" in refused.stderr


def _ids(instance: Instance, table: str) -> list[str]:
    with instance.database() as conn:
        rows = conn.execute(f"SELECT id FROM {table} LIMIT 3").fetchall()  # noqa: S608 - table names from the test
    return [str(uuid.UUID(hex=str(row[0]))) for row in rows]


def test_the_coordinator_reaches_no_case_referral_or_person(
    app: Flask, instance: Instance, coordinator: Browser
) -> None:
    """Every URL naming a record (any <uuid:...> rule) answers 404, with real case and
    referral ids, to GET and to a POST carrying a valid CSRF token; so do the case lists."""
    ids = _ids(instance, "cases") + _ids(instance, "referrals")
    assert ids
    rules = [r for r in app.url_map.iter_rules() if "<uuid:" in r.rule]
    assert any(r.endpoint.startswith("cases.") for r in rules)
    token = coordinator.token("/reports/regional/report")
    for rule in rules:
        for ident in ids:
            path = re.sub(r"<uuid:[a-z_]+>", ident, rule.rule)
            path = re.sub(r"<[^>]+>", "x", path)  # any other part: a plain value
            if "GET" in (rule.methods or ()):
                assert coordinator.request(path)[0] == 404, path
            if "POST" in (rule.methods or ()):
                assert coordinator.request(path, {"csrf_token": token})[0] == 404, path
    for path in ("/cases", "/cases/agency", "/cases/new"):
        assert coordinator.request(path)[0] == 404, path


def test_coordinator_publishes_the_regional_dp_release_and_the_synthetic_data_set(
    instance: Instance, coordinator: Browser, tmp_path: Path
) -> None:
    """The regional release with differential privacy (the default method): SDG 16.2.2 and
    the flow tables with a 95% interval next to each figure, a signed package named by its
    content that downloads the same each time, and the synthetic data set; `flask release
    verify` accepts both packages."""
    users = json.loads(instance.flask("demo", "--json").stdout)["users"]
    email = next(u for u in users if u["role"] == "coordinator")["email"]
    instance.flask("reports", "set-scope", email, "--region")
    builder = coordinator.page("/reports/regional/report")
    period = a_quarter_with_cases(builder)
    report = f"/reports/regional/report?period={period}"
    # A period nothing was released for opens with differential privacy, the default.
    offered = re.findall(r'<option[^>]*value="(\d{4}-Q[1-4])"', builder)
    fresh = coordinator.page(f"/reports/regional/report?period={offered[-1]}")
    mode_select = fresh.split('name="mode"')[1].split("</select>")[0]
    assert re.search(r'<option[^>]*selected[^>]*value="dp"', mode_select)
    built = coordinator.post("/reports/regional/report", {"period": period, "mode": "dp"}, report)
    assert built == 302
    html = coordinator.page(f"{report}&mode=dp")
    assert "SDG 16.2.2: victims by sex, age and form of exploitation" in html
    assert "Flows: victims by citizenship and country of exploitation" in html
    assert "Referral flows" in html
    assert "95% interval" in html
    assert "hidden to protect confidentiality" not in html  # nothing is an x
    assert "<svg" in html  # charts, each with its table

    status, headers, package = coordinator.request(
        f"/reports/regional/release.zip?period={period}&mode=dp"
    )
    assert status == 200
    name = headers["Content-Disposition"].split('filename="')[1].rstrip('"')
    assert name.startswith(f"casework-release-region-{period}-dp-")
    again = coordinator.request(f"/reports/regional/release.zip?period={period}&mode=dp")
    assert again[2] == package  # one release per request: the same file every time
    release = tmp_path / name
    release.write_bytes(package)
    verified = instance.flask("release", "verify", str(release), check=False)
    assert verified.returncode == 0, verified.stderr
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        tables = json.loads(archive.read("report.json"))["tables"]
    metadata = manifest["metadata"]
    assert metadata["mode"] == "dp"
    assert metadata["scope_code"] == "region"
    assert {t["template"] for t in metadata["tables"]} >= {"sdg_16_2_2", "referral_flows"}
    assert all(t["noise_variance_per_cell"] > 0 for t in metadata["tables"])
    sdg = next(t for t in tables if t["template"] == "sdg_16_2_2")
    assert len(sdg["noisy_cells"]) == len(sdg["rows"]) - 1  # for a hub: before post-processing
    assert all(v is not None and v >= 0 for row in sdg["values"] for v in row)
    assert all(
        low <= v <= high
        for row, bounds in zip(sdg["values"], sdg["intervals_95"], strict=True)
        for v, (low, high) in zip(row, bounds, strict=True)
    )

    # Fitting the model compiles for 10-20 s the first time in a process (jax), more on a
    # busy machine: the request waits for it.
    synthetic = coordinator.post(
        "/reports/regional/synthetic",
        {"period": period, "mode": "dp"},
        f"{report}&mode=dp",
        timeout=240,
    )
    assert synthetic == 302
    assert "Download synthetic data set" in coordinator.page(f"{report}&mode=dp")
    status, headers, data = coordinator.request(f"/reports/regional/synthetic.zip?period={period}")
    assert status == 200
    name = headers["Content-Disposition"].split('filename="')[1].rstrip('"')
    assert name.startswith(f"casework-synthetic-region-{period}-dp-")
    path = tmp_path / name
    path.write_bytes(data)
    verified = instance.flask("release", "verify", str(path), check=False)
    assert verified.returncode == 0, verified.stderr
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        header = archive.read("synthetic.csv").decode().splitlines()[0]
    assert header.split(",")[:3] == ["month", "citizenship", "gender"]
