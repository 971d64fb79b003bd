"""Security headers on every response: pages, errors and downloads alike."""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'; img-src 'self' data:"
)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    static = request.endpoint in {"static", "bootstrap.static"} and response.status_code < 400
    if not static:
        # Nothing a person's data could be in is kept by the browser or a proxy.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    if current_app.config.get("HSTS"):
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
