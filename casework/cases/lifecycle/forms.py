"""Closure, decision and erasure forms: codes from the vocabularies, never free text."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from casework.domain import CLOSED_CASE_STATUSES
from casework.vocab import CASE_STATUSES, CLOSURE_REASONS
from casework.vocab.records import CLOSURE_REJECTIONS
from casework.web.forms import options, strip


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


class EraseAllDueForm(FlaskForm):
    confirmation = StringField(
        _l("Type the number of cases to confirm"),
        filters=[strip],
        validators=[
            DataRequired(_l("Type the number of cases due, as shown above.")),
            Length(max=9),
        ],
        render_kw={"autocomplete": "off", "inputmode": "numeric"},
    )
