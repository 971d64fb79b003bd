"""The registration page on an emulated slow 3G link: HTML weight, bytes on the wire and load
time, cold (empty browser cache) and warm (the same browser, a second visit), in Debian's
chromium through Playwright with CDP network throttling (400 kbit/s down and up, 400 ms
round trip). Goal (issue 16): under 30 KB of HTML, under 2 s cold.

    .venv/bin/python benchmarks/slow3g_bench.py [--path /cases/new] [--runs 3]

Serves a throw-away app (SQLite in a temporary folder) on a loopback port, signs a caseworker
in with throttling off, then measures. To compare with an older checkout, run this file with
`CASEWORK_CHECKOUT=/path/to/old/checkout` (its translations compiled).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

# CASEWORK_CHECKOUT: measure another checkout (an older commit) with this script.
sys.path.insert(0, os.environ.get("CASEWORK_CHECKOUT", str(Path(__file__).resolve().parent.parent)))

from werkzeug.serving import make_server

from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.conftest import _compile_translations, build_app
from tests.e2e.conftest import CHROMIUM, sign_in_page

SLOW_3G = {
    "offline": False,
    "latency": 400,  # ms, round trip
    "downloadThroughput": 400_000 / 8,  # bytes per second
    "uploadThroughput": 400_000 / 8,
}


def _measure(context: Any, url: str) -> tuple[float, int, int]:
    """Load time (ms), bytes received and HTML bytes (uncompressed) of one visit."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    received = 0

    def on_finished(event: dict[str, Any]) -> None:
        nonlocal received
        received += int(event.get("encodedDataLength", 0))

    cdp.on("Network.loadingFinished", on_finished)
    started = time.perf_counter()
    response = page.goto(url, wait_until="load")
    elapsed = (time.perf_counter() - started) * 1000
    assert response is not None, url
    assert response.status == 200, url
    html = len(response.body())
    page.close()
    return elapsed, received, html


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/cases/new")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    _compile_translations()
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(folder)
        with app.app_context():
            db.create_all()
            account = factories.make_user(Role.CASEWORKER)
            db.session.commit()
            server = make_server("127.0.0.1", 0, app, threaded=True)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            base = f"http://127.0.0.1:{server.server_port}"
            try:
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(
                        executable_path=str(CHROMIUM), headless=True
                    )
                    signing = browser.new_context(base_url=base)
                    sign_in_page(signing.new_page(), account)
                    state = signing.storage_state()
                    signing.close()
                    colds, warms = [], []
                    for _run in range(args.runs):
                        context = browser.new_context(base_url=base, storage_state=state)
                        cold = _measure(context, base + args.path)
                        warm = _measure(context, base + args.path)
                        colds.append(cold)
                        warms.append(warm)
                        context.close()
                    browser.close()
            finally:
                server.shutdown()
    html = colds[0][2]
    print(f"page {args.path}: {html:,} bytes of HTML")
    for label, runs in (("cold", colds), ("warm", warms)):
        ms = statistics.median(run[0] for run in runs)
        wire = statistics.median(run[1] for run in runs)
        print(f"{label}: {ms / 1000:.2f} s to load, {wire:,.0f} bytes received", end="")
        print(f" (median of {len(runs)})")


if __name__ == "__main__":
    main()
