"""What the admin views share: loading objects, paging lists, showing input errors."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from flask import abort, current_app, request
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from casework.access import authorize
from casework.admin.operations import AdminInputError
from casework.auth.models import User
from casework.extensions import db
from casework.policy import Action

T = TypeVar("T")

INVALID = 422  # a form sent with mistakes: shown again, with what was typed


def actor() -> User:
    """The signed-in administrator, as the model (not Flask-Login's proxy)."""
    return current_user._get_current_object()  # type: ignore[no-any-return]


def load_or_404(model: type[T], ident: uuid.UUID, action: Action) -> T:
    """The object, after the policy allowed `action` on it; 404 if missing or refused."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    authorize(action, obj)
    return obj


def paginate(query: Select[Any]) -> Pagination:
    size = int(current_app.config["PAGE_SIZE"])
    page = request.args.get("page", 1, type=int) or 1
    return db.paginate(query, page=max(page, 1), per_page=size, max_per_page=size, error_out=False)


def show_input_error(form: Any, error: AdminInputError) -> None:
    """Put an operation's refusal next to its field, or above the form."""
    target = getattr(form, error.field, None) if error.field else None
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, str(error)]
    else:
        form.form_errors.append(str(error))
