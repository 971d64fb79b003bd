"""Static assets: fingerprinted URLs cached for a year, and compressed responses.

Every URL of a static file (ours, `static`, and Bootstrap's, `bootstrap.static`) carries the
first 16 hex digits of the SHA-256 of the file's content (`?v=...`, added by a URL default, so
templates keep calling `url_for('static', filename=...)` and `bootstrap.load_css()`). A request
whose `v` is the file's current fingerprint is answered with `Cache-Control: public,
max-age=31536000, immutable`: the browser never asks again, and a changed file has a new URL.
Without it (or with an old one) the answer must be revalidated (`no-cache`), so a stale URL
never pins an old file for a year.

Responses are compressed (Flask-Compress: Brotli, then gzip, for HTML, CSS, JavaScript, JSON
and SVG above 500 bytes). Pages carry secrets (CSRF tokens, names) beside text a user typed,
the shape BREACH attacks; the session cookie is SameSite=Strict in production, so another site
cannot make a signed-in browser fetch a page it chose, which is what the attack needs
(decision 0121).
"""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import brotli
from flask import Flask, current_app, request
from flask_compress import Compress
from werkzeug.http import parse_accept_header
from werkzeug.wrappers import Response

STATIC_ENDPOINTS = ("static", "bootstrap.static")
FINGERPRINT = "v"
FINGERPRINT_LENGTH = 16
ONE_YEAR = 31_536_000
IMMUTABLE = f"public, max-age={ONE_YEAR}, immutable"
REVALIDATE = "no-cache"
MIN_SIZE = 500
COMPRESSED_TYPES = (
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
)

compress = Compress()


def _folder(app: Flask, endpoint: str) -> str | None:
    if endpoint == "static":
        return app.static_folder
    blueprint = app.blueprints.get(endpoint.split(".", 1)[0])
    return blueprint.static_folder if blueprint is not None else None


@lru_cache(maxsize=512)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    """SHA-256 of a file's content, cached per (path, modification time, size)."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            sha.update(block)
    return sha.hexdigest()[:FINGERPRINT_LENGTH]


def fingerprint(app: Flask, endpoint: str, filename: str) -> str | None:
    """The fingerprint of a static file, None when there is no such file."""
    with app.app_context():
        return _current_fingerprint(endpoint, filename)


def _current_fingerprint(endpoint: str, filename: str) -> str | None:
    path = _file(endpoint, filename)
    if path is None:
        return None
    stat = path.stat()
    return _digest(str(path), stat.st_mtime_ns, stat.st_size)


def _add_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint in STATIC_ENDPOINTS and "filename" in values and FINGERPRINT not in values:
        found = _current_fingerprint(endpoint, str(values["filename"]))
        if found is not None:
            values[FINGERPRINT] = found


def _file(endpoint: str, filename: str) -> Path | None:
    folder = _folder(current_app._get_current_object(), endpoint)  # type: ignore[attr-defined]
    if folder is None:
        return None
    root = Path(folder).resolve()
    path = (root / filename).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


@lru_cache(maxsize=64)
def _compressed(path: str, mtime_ns: int, size: int, algorithm: str) -> bytes:
    """A static file compressed once per process at the best level (Brotli 11, gzip 9)."""
    data = Path(path).read_bytes()
    if algorithm == "br":
        return bytes(brotli.compress(data, quality=11))
    return gzip.compress(data, compresslevel=9, mtime=0)


def _precompressed(response: Response, path: Path) -> None:
    """Answer a whole static file (200) with its best compression the browser accepts."""
    accepted = parse_accept_header(request.headers.get("Accept-Encoding", ""))
    algorithm = next((name for name in ("br", "gzip") if accepted[name]), None)
    if (
        algorithm is None
        or response.status_code != 200
        or response.mimetype not in COMPRESSED_TYPES
    ):
        return
    stat = path.stat()
    if stat.st_size < MIN_SIZE:
        return
    body = _compressed(str(path), stat.st_mtime_ns, stat.st_size, algorithm)
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = algorithm
    response.headers.pop("Accept-Ranges", None)  # ranges of the encoded body are not offered
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(f"{etag}:{algorithm}")


def _cache_static(response: Response) -> Response:
    if request.endpoint not in STATIC_ENDPOINTS or response.status_code >= 400:
        return response
    filename = str((request.view_args or {}).get("filename", ""))
    path = _file(str(request.endpoint), filename)
    current = None
    if path is not None:
        stat = path.stat()
        current = _digest(str(path), stat.st_mtime_ns, stat.st_size)
        _precompressed(response, path)
    wanted = request.args.get(FINGERPRINT)
    if wanted is not None and wanted == current:
        response.headers["Cache-Control"] = IMMUTABLE
        response.expires = None
    else:
        response.headers["Cache-Control"] = REVALIDATE
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", list(COMPRESSED_TYPES))
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])  # files
    app.config.setdefault("COMPRESS_MIN_SIZE", MIN_SIZE)
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config.setdefault("COMPRESS_LEVEL", 6)
    app.config.setdefault("SEND_FILE_MAX_AGE_DEFAULT", None)
    # After-request hooks run last registered first: the static files' own compression, then
    # Flask-Compress (which leaves a response that already has a Content-Encoding alone).
    compress.init_app(app)
    app.url_defaults(_add_fingerprint)
    app.after_request(_cache_static)
