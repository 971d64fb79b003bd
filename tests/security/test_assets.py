"""Light pages (issue 16, point 6): static URLs carry their content's fingerprint and are
cached for a year; a stale or missing fingerprint is revalidated; responses are compressed."""

from __future__ import annotations

import gzip
import hashlib
import re

import brotli

from casework.policy import Role
from casework.web.assets import IMMUTABLE, fingerprint


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/(?:static|bootstrap)/[^"]+)"', html)


def test_every_static_url_carries_its_contents_fingerprint(app, login_as) -> None:
    client, _user = login_as(Role.CASEWORKER)
    html = client.get("/").get_data(as_text=True)
    urls = _static_urls(html)
    assert any("casework.css" in url for url in urls)
    assert any("bootstrap" in url and url.split("?")[0].endswith(".css") for url in urls)
    for url in urls:
        _path, _, query = url.partition("?v=")
        assert re.fullmatch(r"[0-9a-f]{16}", query), url
        body = client.get(url, headers={"Accept-Encoding": "identity"}).get_data()
        assert hashlib.sha256(body).hexdigest()[:16] == query, url


def test_a_fingerprinted_file_is_cached_for_a_year(app, client) -> None:
    with app.test_request_context():
        version = fingerprint(app, "static", "casework.css")
    response = client.get(f"/static/casework.css?v={version}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert "max-age=31536000" in IMMUTABLE
    assert "immutable" in IMMUTABLE


def test_a_stale_or_missing_fingerprint_is_revalidated(client) -> None:
    for url in ("/static/casework.css", "/static/casework.css?v=0000000000000000"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache"


def test_pages_are_compressed_and_say_so(app, login_as) -> None:
    client, _user = login_as(Role.CASEWORKER)
    plain = client.get("/cases/new", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    gzipped = client.get("/cases/new", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in gzipped.headers["Vary"]
    assert gzipped.headers["Cache-Control"] == "no-store"  # a page is still never kept
    assert len(gzipped.get_data()) < len(plain.get_data()) / 3
    assert gzip.decompress(gzipped.get_data()).startswith(b"<!doctype html>")
    brotlied = client.get("/cases/new", headers={"Accept-Encoding": "br, gzip"})
    assert brotlied.headers["Content-Encoding"] == "br"
    assert brotli.decompress(brotlied.get_data()).startswith(b"<!doctype html>")


def test_static_files_are_compressed_once_at_the_best_level(app, client) -> None:
    from casework import ROOT

    original = (ROOT / "casework" / "static" / "casework.css").read_bytes()
    response = client.get("/static/casework.css", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()) == original
    response = client.get("/static/casework.css", headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(response.get_data()) == original
    assert len(response.get_data()) == int(response.headers["Content-Length"])
    assert "Accept-Encoding" in response.headers["Vary"]
