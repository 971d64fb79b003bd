"""The roles' real journeys, for `benchmarks/load_bench.py` (locust, headless, loopback).

Each simulated user signs in once as its own demo account (password, then a one-time code
from `flask demo-code`), then repeats its role's journey. Pages are grouped by name in the
statistics ("case page" for every /cases/<id>).
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import threading
from pathlib import Path

from locust import HttpUser, between, task

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
CASE_LINK = re.compile(r'href="(/cases/[0-9a-f-]{36})"')
REFERRAL_LINK = re.compile(r'href="(/referrals/[0-9a-f-]{36})"')
PASSWORD_SUFFIX = "-orchid-lantern-2026"  # noqa: S105 - the demo accounts, printed by `make run`
ACCOUNTS = {
    "caseworker": ["caseworker@demo.casework.example", "shelter.caseworker@demo.casework.example"],
    "supervisor": ["supervisor@demo.casework.example", "shelter.supervisor@demo.casework.example"],
    "partner": ["partner@demo.casework.example", "legal.partner@demo.casework.example"],
    "coordinator": ["coordinator@demo.casework.example"],
}
_lock = threading.Lock()
SEARCH_TERMS = ("Nguyễn Lan", "sokha chan", "Maria Santos", "A1234567", "1999-04-01")


def one_time_code(email: str) -> str:
    flask = str(ROOT / ".venv" / "bin" / "flask")
    # Our own command, with an e-mail address from the table above.
    result = subprocess.run(  # noqa: S603
        [flask, "--app", "wsgi", "demo-code", email],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().split()[-1]


class RoleUser(HttpUser):
    abstract = True
    role = ""
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        with _lock:
            pool = ACCOUNTS[self.role]
            email = pool[(len(pool) + id(self)) % len(pool)]
            local = email.split("@", 1)[0].replace(".", "-")
            page = self.client.get("/sign-in", name="sign-in")
            token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
            self.client.post(
                "/sign-in",
                data={"email": email, "password": local + PASSWORD_SUFFIX, "csrf_token": token},
                name="sign-in",
            )
            page = self.client.get("/sign-in/code", name="sign-in code")
            token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
            self.client.post(
                "/sign-in/code",
                data={"code": one_time_code(email), "csrf_token": token},
                name="sign-in code",
            )

    @task(1)
    def minimal_page(self) -> None:
        self.client.get("/account", name="minimal signed-in page (account)")

    def open_one(self, html: str, pattern: re.Pattern[str], name: str) -> None:
        links = pattern.findall(html)
        if links:
            self.client.get(random.choice(links), name=name)


class Caseworker(RoleUser):
    role = "caseworker"

    @task(4)
    def my_cases(self) -> None:
        page = self.client.get("/cases", name="case list")
        self.open_one(page.text, CASE_LINK, "case page")

    @task(2)
    def search(self) -> None:
        term = random.choice(SEARCH_TERMS)
        self.client.get("/cases", params={"q": term}, name="case search")

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/", name="dashboard")


class Supervisor(RoleUser):
    role = "supervisor"

    @task(4)
    def agency_cases(self) -> None:
        page = self.client.get("/cases/agency", name="agency case list")
        self.open_one(page.text, CASE_LINK, "case page")

    @task(2)
    def filtered(self) -> None:
        self.client.get(
            "/cases/agency", params={"status": "Active", "risk": "high"}, name="agency case list"
        )

    @task(1)
    def inbox(self) -> None:
        self.client.get("/referrals/inbox", name="referral inbox")


class Partner(RoleUser):
    role = "partner"

    @task(3)
    def inbox(self) -> None:
        page = self.client.get("/referrals/inbox", name="referral inbox")
        self.open_one(page.text, REFERRAL_LINK, "referral page")

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/", name="dashboard")


class Coordinator(RoleUser):
    role = "coordinator"

    @task(3)
    def reports(self) -> None:
        self.client.get("/reports/regional", name="reports dashboard")

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/", name="dashboard")
