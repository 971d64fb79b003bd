"""What every feature's views share: the signed-in user, paging, the status of a form sent
with mistakes, and showing an operation's refusal on its form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app, request
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


def paginate(query: Select[Any]) -> Pagination:
    size = int(current_app.config["PAGE_SIZE"])
    page = request.args.get("page", 1, type=int) or 1
    return db.paginate(query, page=max(page, 1), per_page=size, max_per_page=size, error_out=False)


def show_operation_error(form: Any, error: Any) -> None:
    """Put an operation's refusal next to its field, or above the form."""
    target = getattr(form, error.field, None) if error.field else None
    if target is not None and isinstance(getattr(target, "errors", None), list):
        target.errors = [*target.errors, str(error)]
    else:
        form.form_errors.append(str(error))
