"""One commit per request, in one place.

Views and operations never commit. A response under 400 commits the request's changes;
anything else rolls them back. Durable audit events (denials, failed sign-ins) are written
either way, after the rollback, in their own transaction.
"""

from __future__ import annotations

from flask import Flask, g
from werkzeug.wrappers import Response

from casework import audit
from casework.core.extensions import db


def finish_request(response: Response) -> Response:
    session = db.session
    if response.status_code < 400:
        audit.write_durable_events(session)
        session.commit()
    else:
        session.rollback()
        if g.get("durable_audit"):
            audit.write_durable_events(session)
            session.commit()
    return response


def init_app(app: Flask) -> None:
    app.after_request(finish_request)
