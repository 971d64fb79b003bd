"""What every feature's views share: the signed-in user, paging, the status of a form sent
with mistakes, and showing an operation's refusal on its form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import abort, current_app, request
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select
from werkzeug.wrappers import Response

from casework.core.extensions import db

if TYPE_CHECKING:
    from casework.auth.models import User

# What a view returns: a page, a page with its status, or a response (a redirect, a file).
Page = str | tuple[str, int] | Response

INVALID = 422  # a form sent with mistakes: shown again, with what was typed
CONFLICT = 409  # the record changed, or is not in a state the action starts from


def signed_in_user() -> User:
    """The signed-in user as the model (not Flask-Login's proxy), whatever their role."""
    return current_user._get_current_object()  # type: ignore[no-any-return]


def form_status() -> int:
    """200 for a form shown for the first time, INVALID for one sent back with mistakes."""
    return INVALID if request.method == "POST" else 200


# No list has this many pages; a larger number is not a page of one.
PAGE_LIMIT = 1_000_000


def requested_page() -> int:
    """The page asked for (`?page=`): a whole number from 1 to PAGE_LIMIT, 1 when absent.
    Anything else (text, a sign, a space, `1 AND 1=1`, 0, a number too large for the
    database's OFFSET) is refused with one and the same 400, never read as page 1 nor echoed:
    a probe learns nothing from the answer (decision 0126)."""
    raw = request.args.get("page")
    if raw is None:
        return 1
    if not (raw.isascii() and raw.isdigit() and len(raw) <= len(str(PAGE_LIMIT))):
        abort(400)
    number = int(raw)
    if not 1 <= number <= PAGE_LIMIT:
        abort(400)
    return number


def paginate(query: Select[Any]) -> Pagination:
    """One page of `query`; a page past the last one shows the last one (the list shrank
    since its link was made)."""
    size = int(current_app.config["PAGE_SIZE"])
    number = requested_page()
    page = db.paginate(query, page=number, per_page=size, max_per_page=size, error_out=False)
    if number > 1 and number > page.pages:
        page = db.paginate(
            query, page=max(page.pages, 1), per_page=size, max_per_page=size, error_out=False
        )
    return page


def show_operation_error(form: Any, error: Any) -> None:
    """Put an operation's refusal next to its field, or above the form."""
    target = getattr(form, error.field, None) if error.field else None
    if target is not None and isinstance(getattr(target, "errors", None), list):
        target.errors = [*target.errors, str(error)]
    else:
        form.form_errors.append(str(error))
