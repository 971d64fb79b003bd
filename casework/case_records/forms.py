"""Forms of a case's records. Each declares exactly the fields it accepts: a crafted field
(an agency id on the assignment form, a status on the consent form) is never read.

Forms check the shape (a code from the vocabulary, a date); the operations check the rules
(a guardian for a minor, an assignee of the case's agency) and say which field is wrong.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from casework.admin.forms import options, strip
from casework.domain import CLOSED_CASE_STATUSES
from casework.vocab import (
    ATTACHMENT_KINDS,
    CASE_STATUSES,
    CLOSURE_REASONS,
    CONSENT_METHODS,
    CONSENT_PURPOSES,
)
from casework.vocab.records import CLOSURE_REJECTIONS

FILE_HINT = _l("PDF, JPEG or PNG. Photos lose their hidden data (place, camera, time).")


class ConfirmForm(FlaskForm):
    """Only a CSRF token: the confirmation step of a destructive action."""


class ConsentForm(FlaskForm):
    purpose = RadioField(
        _l("What the person consents to"),
        choices=lambda: options(CONSENT_PURPOSES.choices()),
        validators=[InputRequired(_l("Choose what the consent is for."))],
    )
    agency_id = SelectField(
        _l("Agency named in the consent"),
        description=_l("Only for sharing with, or referral to, a named agency."),
        validators=[Optional()],
    )
    given_on = DateField(
        _l("Date the consent was given"),
        validators=[InputRequired(_l("Enter the date, for example 2026-03-14."))],
    )
    method = RadioField(
        _l("How it was obtained"),
        choices=lambda: options(CONSENT_METHODS.choices()),
        validators=[InputRequired(_l("Choose how the consent was obtained."))],
        description=_l("For a person under 18 a guardian gives consent."),
    )
    signed_form = FileField(_l("Signed consent form (optional)"), description=FILE_HINT)

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency_id.choices = options([("", _l("No agency")), *agencies])


class ConsentFormUpload(FlaskForm):
    signed_form = FileField(
        _l("Signed consent form"),
        description=FILE_HINT,
        validators=[FileRequired(_l("Choose the file to attach."))],
    )


class AttachmentForm(FlaskForm):
    kind = SelectField(
        _l("What the file is"),
        choices=lambda: options(ATTACHMENT_KINDS.choices(blank=_l("Choose a kind"))),
        validators=[DataRequired(_l("Choose what the file is."))],
    )
    file = FileField(
        _l("File"), description=FILE_HINT, validators=[FileRequired(_l("Choose a file."))]
    )


class AssignForm(FlaskForm):
    assignee = SelectField(
        _l("Assign to"),
        validators=[DataRequired(_l("Choose a caseworker or supervisor of the agency."))],
        description=_l("Active caseworkers and supervisors of the case's agency."),
    )

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assignee.choices = options([("", _l("Choose a person")), *people])


def _closed_status_choices() -> list[Any]:
    return options((code, CASE_STATUSES.label(code)) for code in sorted(CLOSED_CASE_STATUSES))


class ClosureRequestForm(FlaskForm):
    reason = SelectField(
        _l("Reason for closure"),
        choices=lambda: options(CLOSURE_REASONS.choices(blank=_l("Choose a reason"))),
        validators=[DataRequired(_l("Choose the reason for closure."))],
    )
    status = RadioField(
        _l("Close as"),
        choices=_closed_status_choices,
        validators=[InputRequired(_l("Choose how the case is closed."))],
        description=_l('"Closed (referred)" when another agency now leads the support.'),
    )


class ClosureDecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=lambda: options(
            [("approve", _l("Approve: close the case")), ("reject", _l("Send back"))]
        ),
        validators=[InputRequired(_l("Choose approve or send back."))],
    )
    note = SelectField(
        _l("Why it is sent back"),
        choices=lambda: options(CLOSURE_REJECTIONS.choices(blank=_l("Only when sending back"))),
        validators=[Optional()],
    )


class EraseForm(FlaskForm):
    confirmation = StringField(
        _l("Type the case reference to confirm"),
        filters=[strip],
        validators=[
            DataRequired(_l("Type the case reference, for example TH-2026-000123.")),
            Length(max=32),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
