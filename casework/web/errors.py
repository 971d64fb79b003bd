"""Error pages in plain words, never a stack trace.

Besides HTTP errors: a `PermissionDenied` from anywhere is the audited 404 of a denial, an
erased case's data (`ShreddedError`) a clear "erased" page, an operation's refusal that no view
caught (`OperationError`) a page with its message, an unreadable record a page that says so.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, flash, redirect, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound
from werkzeug.wrappers import Response

from casework.core.errors import OperationError
from casework.crypto import ShreddedError
from casework.policy import PermissionDenied
from casework.web.access import record_denial

log = logging.getLogger("casework.errors")

MESSAGES: dict[int, tuple[object, object]] = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Not allowed"), _l("You are not allowed to do this.")),
    404: (
        _l("Page not found"),
        _l("There is nothing here, or you do not have access to it. Check the address."),
    ),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("File too large"), _l("What you sent is larger than the limit. Send a smaller file.")),
    429: (
        _l("Too many attempts"),
        _l("There have been too many attempts. Wait a few minutes, then try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("The server could not complete your request. Nothing was saved. Try again shortly."),
    ),
}
CSRF_MESSAGE = (
    _l("Form expired"),
    _l(
        "This form was open too long or was sent twice. Nothing was saved: go back, reload it "
        "and send it again."
    ),
)


def _discard_failed_transaction() -> None:
    """Roll back a transaction the error left unusable (a dropped database connection), so
    the error page can load the signed-in user on a fresh connection. The request's changes
    are rolled back anyway (unit_of_work)."""
    from casework.core.extensions import db

    try:
        db.session.rollback()
    except Exception:
        log.warning("rollback after an error failed")


def render_error(status: int, title: object, message: object) -> tuple[str, int]:
    try:
        return render_template(
            "errors/error.html", status=status, title=title, message=message
        ), status
    except Exception:  # the page itself failed (for example the database is down)
        log.exception("error page could not be rendered")
    _discard_failed_transaction()
    # Straight from the Jinja environment: no context processors, so nothing (not even the
    # signed-in user) is loaded from the database.
    page = current_app.jinja_env.get_template("errors/minimal.html")
    return page.render(status=status, title=title, message=message), status


def handle_http_exception(error: HTTPException) -> tuple[str, int, list[tuple[str, str]]]:
    status = error.code or 500
    title, message = MESSAGES.get(status, (error.name, error.description))
    body, status = render_error(status, title, message)
    # Keep what the exception adds (Allow on a 405), not its own content type.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    return body, status, headers


def handle_csrf_error(error: CSRFError) -> tuple[str, int]:
    return render_error(400, *CSRF_MESSAGE)


def handle_internal_error(error: InternalServerError) -> tuple[str, int]:
    original = getattr(error, "original_exception", None)
    if original is not None:
        log.error("unhandled exception", exc_info=original)
    _discard_failed_transaction()
    return render_error(500, *MESSAGES[500])


UNREADABLE_MESSAGE = (
    _l("This record cannot be read"),
    _l(
        "Part of this record failed its integrity check, so it is not shown. Other records are "
        "not affected. The incident has been recorded; tell your administrator."
    ),
)


def handle_unreadable_record(error: Exception) -> tuple[str, int]:
    # Names the table and field only; the audit event was written when it was detected.
    log.error("unreadable record", extra={"detail": type(error).__name__})
    return render_error(500, *UNREADABLE_MESSAGE)


ERASED_MESSAGE = (
    _l("This case was erased"),
    _l(
        "Its identifying data was destroyed when the case was erased, so it can no longer be "
        "read or changed. Nothing was saved."
    ),
)
REFUSED_TITLE = _l("This cannot be done")
GONE = 410
REFUSED = 409


def handle_permission_denied(error: PermissionDenied) -> tuple[str, int, list[tuple[str, str]]]:
    """A refusal raised anywhere (a view, an operation, a template helper) is the same
    audited 404 as one the view checks itself: nothing distinguishes it from a missing page."""
    record_denial(error.action, error.target)
    _discard_failed_transaction()
    return handle_http_exception(NotFound())


def handle_shredded(error: ShreddedError) -> tuple[str, int]:
    """An erased case's data was asked for: say so plainly (the request is rolled back)."""
    log.warning("erased record requested", extra={"detail": type(error).__name__})
    _discard_failed_transaction()  # a failed flush would keep the page from loading the user
    return render_error(GONE, *ERASED_MESSAGE)


def handle_operation_error(error: OperationError) -> tuple[str, int] | Response:
    """An operation's refusal the view did not show on its form: back to the page the error
    names (a case page) with its message, or its message on a page. Nothing is saved."""
    back = error.back_to()
    _discard_failed_transaction()
    if back is None:
        return render_error(REFUSED, REFUSED_TITLE, str(error))
    flash(str(error), "warning")
    return redirect(back, 303)


def init_app(app: Flask) -> None:
    from casework.encryption.fields import UnreadableRecord

    app.register_error_handler(PermissionDenied, handle_permission_denied)
    app.register_error_handler(ShreddedError, handle_shredded)
    app.register_error_handler(OperationError, handle_operation_error)
    app.register_error_handler(UnreadableRecord, handle_unreadable_record)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(InternalServerError, handle_internal_error)
    app.register_error_handler(HTTPException, handle_http_exception)
