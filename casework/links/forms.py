"""The form that links a case to another (decision 0114)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from casework.cases.form_parts import coded
from casework.links.operations import MAX_NOTE
from casework.vocab import CASE_LINK_KINDS
from casework.web.forms import squash, strip


class LinkForm(FlaskForm):
    reference = StringField(
        _l("Reference of the other case"),
        filters=[squash],
        validators=[DataRequired(_l("Enter the reference of the other case.")), Length(max=40)],
        description=_l("As it is shown on that case's page, for example TH-2026-000123."),
        render_kw={"autocomplete": "off"},
    )
    kind = coded(_l("How the cases are linked"), CASE_LINK_KINDS, required=True)
    note = TextAreaField(
        _l("Note"),
        filters=[strip],
        validators=[Optional(), Length(max=MAX_NOTE)],
        description=_l("Stored encrypted. Seen by whoever may open both cases."),
    )
