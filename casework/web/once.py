"""One-time submission tokens: a form that creates something is taken once, however often it
is sent (a double click, a retry on a slow connection, two tabs).

The form carries a random token (`OnceForm.submission`, made when the form is shown). The view
claims it, in the request's own transaction, just before the operation creates anything:
`INSERT ... ON CONFLICT DO NOTHING` into `form_submissions`. The first request inserts it and
stores what it created (`settle`); a second request with the same token inserts nothing (on
PostgreSQL it waits for the first to commit) and is taken to what the first created. A request
that fails (a refusal, a 422) rolls the claim back with everything else, so the person can
correct the form and send it again.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField
from wtforms.validators import ValidationError

from casework.core.conditional import insert_unless_present
from casework.core.db import Base, UTCDateTime, utcnow
from casework.core.extensions import db

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32}")


class FormSubmission(Base):
    """A submission token that was used: by whom, on which form, and what it created (an id)."""

    __tablename__ = "form_submissions"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    form: Mapped[str] = mapped_column(String(40))
    result_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 32 characters


def _well_formed(form: FlaskForm, field: HiddenField) -> None:
    # The token must come with the submission (raw_data), not from the field's default.
    sent = field.raw_data[0] if field.raw_data else ""
    if not TOKEN_RE.fullmatch(sent):
        raise ValidationError(str(_l("This form is out of date. Reload the page and try again.")))


class OnceForm(FlaskForm):
    """A form whose submission is taken once: it carries a one-time token."""

    submission = HiddenField(default=new_token, validators=[_well_formed])


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming a token: `first` when this request may act; otherwise
    `result_id` is what the first submission created (None if it is not this user's)."""

    first: bool
    result_id: str | None = None


def claim(token: str, user_id: uuid.UUID, form: str) -> Claim:
    """Claim `token` for `form` in this transaction (see the module's docstring)."""
    inserted = insert_unless_present(
        db.session,
        FormSubmission.__table__,  # type: ignore[arg-type]
        {"token": token, "user_id": user_id, "form": form, "created_at": utcnow()},
    )
    if inserted:
        return Claim(first=True)
    earlier = db.session.get(FormSubmission, token, populate_existing=True)
    if earlier is None or earlier.user_id != user_id or earlier.form != form:
        return Claim(first=False)
    return Claim(first=False, result_id=earlier.result_id)


def settle(token: str, result_id: object) -> None:
    """Record what the first submission of `token` created (in the same transaction)."""
    row = db.session.get(FormSubmission, token)
    if row is not None:
        row.result_id = str(result_id)
        db.session.flush()
