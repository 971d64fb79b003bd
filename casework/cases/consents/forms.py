"""Consent forms. Each declares exactly the fields it accepts: a crafted field (a status, an
agency on a purpose that names none) is never read; the operations check the rules (a guardian
for a minor) and say which field is wrong."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, RadioField, SelectField
from wtforms.validators import InputRequired, Optional

from casework.cases.attachments.forms import FILE_HINT
from casework.vocab import CONSENT_METHODS, CONSENT_PURPOSES
from casework.web.forms import options


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
