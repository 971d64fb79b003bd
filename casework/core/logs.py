"""Structured application logs with a request id, and nothing personal in them.

Only the method, the endpoint name, the status, the duration and ids are logged: never the
query string (searches carry names), form bodies, or exception messages (they can quote
values). Tracebacks keep their frames and lose their message.
"""

from __future__ import annotations

import logging
import re
import secrets
import sys
import time
import traceback
from types import TracebackType
from typing import Any

from flask import Flask, g, request
from flask_login import current_user
from pythonjsonlogger.json import JsonFormatter
from werkzeug.wrappers import Response

REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{8,64}$")
access_log = logging.getLogger("casework.access")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        from flask import has_request_context

        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class RedactingJsonFormatter(JsonFormatter):
    """JSON lines; exception messages are dropped, only the type and the frames stay."""

    def formatException(self, ei: Any) -> str:
        exc_type, _exc, tb = ei
        frames = "".join(traceback.format_tb(tb)) if tb else ""
        return f"{frames}{exc_type.__name__}: <message withheld>"

    def format(self, record: logging.LogRecord) -> str:
        # Arguments interpolated into messages could carry values; keep format strings only.
        if record.args:
            record.msg, record.args = f"{record.msg} <args withheld>", None
        return super().format(record)


LIMITER_STORAGE_RECOVERED = "Rate limit storage recovered"


def _limiter_storage_lines(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING or record.msg == LIMITER_STORAGE_RECOVERED


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingJsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"levelname": "level", "asctime": "time", "name": "logger"},
        )
    )
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger("casework")
    root.handlers[:] = [handler]
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    root.propagate = False
    app.logger.handlers[:] = [handler]
    app.logger.propagate = False
    # The development server's own request lines carry query strings: silence them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # The rate limiter says when its storage (Redis) is unreachable and it counts in memory,
    # and when the storage is back: those lines belong in our log. Its other INFO lines (each
    # breach, with the client address) stay out of it.
    limiter_log = logging.getLogger("flask-limiter")
    limiter_log.setLevel(logging.INFO)
    limiter_handler = logging.StreamHandler(sys.stderr)
    limiter_handler.setFormatter(handler.formatter)
    limiter_handler.addFilter(RequestIdFilter())
    limiter_handler.addFilter(_limiter_storage_lines)
    limiter_handler.set_name("casework")
    limiter_log.handlers[:] = [h for h in limiter_log.handlers if h.get_name() != "casework"]
    limiter_log.addHandler(limiter_handler)


def start_request() -> None:
    """Every request gets an id of our own: it names the request in the logs, in the audit
    chain and on error pages. A client's (or a proxy's) X-Request-ID is never adopted: when it
    is well formed it is logged beside ours as `client_request_id`, for correlation only; it
    never reaches the audit chain."""
    g.request_id = secrets.token_hex(8)
    incoming = request.headers.get("X-Request-ID", "")
    g.client_request_id = incoming if REQUEST_ID_PATTERN.match(incoming) else None
    g.request_started = time.perf_counter()


def log_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    elapsed_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
    user_id = None
    try:
        if current_user and current_user.is_authenticated:
            user_id = str(current_user.id)
    except Exception:  # noqa: S110 - logging must never fail a request
        pass
    access_log.info(
        "request",
        extra={
            "method": request.method,
            "endpoint": request.endpoint,
            "status": response.status_code,
            "ms": round(elapsed_ms, 1),
            "user_id": user_id,
            "client_request_id": g.get("client_request_id"),
        },
    )
    return response


def init_app(app: Flask) -> None:
    configure_logging(app)
    app.before_request(start_request)
    app.after_request(log_request)
