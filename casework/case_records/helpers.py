"""What the case-record views share: the signed-in user, loading a case or one of its
records (404 when missing, refused, or not of that case), and the way back to the case."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from flask import abort, url_for
from flask_login import current_user

from casework.access import authorize
from casework.auth.models import User
from casework.case_records.operations import RecordError
from casework.cases.models import Case
from casework.extensions import db
from casework.policy import Action

T = TypeVar("T")

INVALID = 422  # a form sent with mistakes: shown again, with what was chosen


def actor() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def load_case(case_id: uuid.UUID, action: Action) -> Case:
    """The case, after the policy allowed `action` on it; 404 otherwise."""
    case = db.session.get(Case, case_id)
    if case is None:
        abort(404)
    authorize(action, case)
    return case


def load_child(model: type[T], case: Case, ident: uuid.UUID) -> T:
    """A record of `case` (a consent, an attachment); 404 if missing or of another case."""
    obj = db.session.get(model, ident)
    if obj is None or getattr(obj, "case_id", None) != case.id:
        abort(404)
    return obj


def case_url(case: Case) -> str:
    """The case page, `/cases/<id>`."""
    return url_for("cases.view_case", case_id=case.id)


def show_error(form: Any, error: RecordError) -> None:
    """Put an operation's refusal next to its field, or above the form."""
    target = getattr(form, error.field, None) if error.field else None
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, str(error)]
    else:
        form.form_errors.append(str(error))
