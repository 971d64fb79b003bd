"""Refuse input that no field can hold: NUL characters.

PostgreSQL text cannot contain U+0000, so a NUL in a query or form value would fail deep in a
query as a server error (found by the security scan). No legitimate form input contains one:
the request is refused up front, as a bad request, for every endpoint present and future.
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.datastructures import MultiDict

NUL = "\x00"


def _has_nul(pairs: MultiDict[str, str]) -> bool:
    return any(NUL in key or NUL in value for key, value in pairs.items(multi=True))


def refuse_nul() -> None:
    if NUL in request.path or _has_nul(request.args):
        abort(400)
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        if _has_nul(request.form):
            abort(400)
        if any(NUL in (upload.filename or "") for upload in request.files.values()):
            abort(400)


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul)
