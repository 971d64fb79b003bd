"""End-to-end fixtures: the real server, headless Chromium (Debian's), sign-in per role, and an
audit of each page (screenshot + axe-core).

For new journeys (cases, referrals, reports), the pieces are:

    def test_caseworker_registers_a_case(signed_in, audit):
        page, account = signed_in(Role.CASEWORKER)          # the real two-step sign-in
        page.get_by_role("link", name="New case").click()
        audit(page, "new case form")                        # screenshot + axe: no serious issue
        ...

- `live_server`: the suite's app served by a real HTTP server on a free loopback port, in a
  thread of this process, so factories (tests/factories.py) and the browser share one
  database: create data with factories, `db.session.commit()`, then drive the browser.
- `browser_context`: a fresh browser context (cookies, storage) per test; `new_page()` on it.
- `signed_in(role, agency=None)`: a page signed in as a new user of that role.
- `audit(page, label)`: saves build/screenshots/<test>/<nn>-<label>.png and fails on any
  serious or critical axe-core violation (axe-core ships inside axe-playwright-python: no CDN).
- `audit_every_page(page, start, check=None)`: follows every same-site link from `start` (not
  sign-out, not the language switch, not a download) and audits each page once per route;
  `check(page, endpoint)` runs on each page as well.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from werkzeug.serving import make_server

from casework import ROOT
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.services import need

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "build" / "screenshots"
SKIPPED_PATHS = ("/sign-out", "/language", "/sign-in/cancel", "/static/", "/bootstrap/")
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The suite's app on a real HTTP server (a thread of this process); its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    need(CHROMIUM.exists(), "Debian's chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a dev dependency
        need(False, "playwright is not installed (pip install -e '.[dev]')")
        raise
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def browser_context(browser: Any, live_server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server, locale="en-GB")
    context.set_default_timeout(15_000)
    yield context
    context.close()


def _slug(text: str, length: int = 60) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:length] or "page"


@pytest.fixture
def audit(request: pytest.FixtureRequest) -> Callable[[Any, str], list[dict[str, Any]]]:
    """`audit(page, label)`: screenshot, then axe-core; fails on serious or critical issues.
    Returns every violation found (minor and moderate ones included) for further checks."""
    from axe_playwright_python.sync_playwright import Axe

    folder = SCREENSHOTS / _slug(request.node.name, 120)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    axe = Axe()
    counter = iter(range(1, 1000))

    def _audit(page: Any, label: str) -> list[dict[str, Any]]:
        page.wait_for_load_state("load")
        name = f"{next(counter):02d}-{_slug(label)}"
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        results = axe.run(page)
        violations = list(results.response["violations"])
        if violations:  # every finding, minor ones included, kept beside the screenshot
            (folder / f"{name}.axe.json").write_text(json.dumps(violations, indent=1))
        blocking = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"][:5])
            for v in violations
            if v.get("impact") in BLOCKING_IMPACTS
        ]
        assert blocking == [], f"{label} ({page.url}): {blocking}"
        return violations

    return _audit


def sign_in_page(page: Any, account: factories.Account) -> None:
    """The real two-step sign-in in the browser: password, then the one-time code."""
    page.goto("/sign-in")
    page.get_by_label("Email").fill(account.user.email)
    page.get_by_label("Password", exact=True).fill(account.password)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/sign-in/code")
    page.get_by_label("One-time code").fill(account.code())
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(lambda url: not urlsplit(url).path.startswith("/sign-in"))


def sign_in_in_language(page: Any, account: factories.Account, language: str) -> None:
    """The same sign-in with the labels of `language` (from its compiled catalogue)."""
    import gettext

    mo = ROOT / "casework" / "translations" / language / "LC_MESSAGES" / "messages.mo"
    with mo.open("rb") as handle:
        words = gettext.GNUTranslations(handle).gettext
    page.goto("/sign-in")
    page.get_by_label(words("Email")).fill(account.user.email)
    page.get_by_label(words("Password"), exact=True).fill(account.password)
    page.get_by_role("button", name=words("Continue")).click()
    page.wait_for_url("**/sign-in/code")
    page.get_by_label(words("One-time code")).fill(account.code())
    page.get_by_role("button", name=words("Verify")).click()
    page.wait_for_url(lambda url: not urlsplit(url).path.startswith("/sign-in"))


@pytest.fixture
def signed_in(
    browser_context: Any,
) -> Callable[..., tuple[Any, factories.Account]]:
    """`page, account = signed_in(Role.X, agency=...)`: a new user, signed in in the browser."""

    def _signed_in(role: Role | str, **kwargs: Any) -> tuple[Any, factories.Account]:
        account = factories.make_user(role, **kwargs)
        db.session.commit()
        page = browser_context.new_page()
        sign_in_page(page, account)
        return page, account

    return _signed_in


def route_key(app: Flask, url: str) -> str | None:
    """The endpoint a URL reaches (so each route is audited once, not once per record)."""
    adapter = app.url_map.bind("127.0.0.1")
    try:
        endpoint, _args = adapter.match(urlsplit(url).path, method="GET")
    except Exception:
        return None
    return str(endpoint)


@pytest.fixture
def audit_every_page(
    app: Flask, audit: Callable[[Any, str], list[dict[str, Any]]], live_server: str
) -> Callable[[Any, str], list[str]]:
    """Follow every same-site link from `start`, audit each route's first page; returns the
    endpoints audited. GET only: nothing is submitted."""

    def _walk(
        page: Any,
        start: str,
        limit: int = 60,
        check: Callable[[Any, str], None] | None = None,
    ) -> list[str]:
        queue = [urljoin(live_server, start)]
        seen_urls: set[str] = set()
        audited: dict[str, str] = {}
        while queue and len(audited) < limit:
            url = queue.pop(0).split("#", 1)[0]
            path = urlsplit(url).path
            if url in seen_urls or path.startswith(SKIPPED_PATHS):
                continue
            seen_urls.add(url)
            key = route_key(app, url)
            if key is None or key in audited:
                continue
            try:
                response = page.goto(url)
            except Exception as error:  # a link to a file: the browser downloads it
                if "Download is starting" in str(error):
                    continue
                raise
            assert response is not None
            assert response.status < 500, (url, response.status)
            if response.status != 200 or urlsplit(page.url).path.startswith("/sign-in"):
                continue  # a redirect to sign in: the session ended (the assertion catches it)
            audited[key] = url
            audit(page, key)
            if check is not None:
                check(page, key)
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            queue.extend(h for h in hrefs if h.startswith(live_server))
        return sorted(audited)

    return _walk
