"""Refuse input that no field can hold: NUL characters; and say so when a form could not be
read at all (a file name that is not UTF-8 makes the multipart parser drop the whole form,
which then looked like an expired form).

PostgreSQL text cannot contain U+0000, so a NUL in a query or form value would fail deep in a
query as a server error (found by the security scan). No legitimate form input contains one:
the request is refused up front, as a bad request, for every endpoint present and future.
"""

from __future__ import annotations

from flask import Flask, abort, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

NUL = "\x00"


def _has_nul(pairs: MultiDict[str, str]) -> bool:
    return any(NUL in key or NUL in value for key, value in pairs.items(multi=True))


UNREADABLE_FORM = (
    _l("The form could not be read"),
    _l(
        "What was sent could not be read, usually because a file name is not in UTF-8. Rename "
        "the file (letters and digits are safest) and send the form again. Nothing was saved."
    ),
)


def _unreadable_multipart() -> bool:
    """A multipart body with content of which the parser kept nothing."""
    return bool(
        request.mimetype == "multipart/form-data"
        and (request.content_length or 0) > 0
        and not request.form
        and not request.files
    )


def refuse_nul() -> ResponseReturnValue | None:
    if NUL in request.path or _has_nul(request.args):
        abort(400)
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        if _unreadable_multipart():
            from casework.web.errors import render_error

            return render_error(400, *UNREADABLE_FORM)
        if _has_nul(request.form):
            abort(400)
        if any(NUL in (upload.filename or "") for upload in request.files.values()):
            abort(400)
    return None


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul)
