"""Forms of the action plan and of the plan's approvals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from casework.services.plans.approvals import REASON_MAX
from casework.services.plans.operations import DESCRIPTION_MAX
from casework.web.forms import options
from casework.web.once import OnceForm


class StepFields(FlaskForm):
    description = TextAreaField(
        _l("What is to be done"),
        validators=[DataRequired(), Length(max=DESCRIPTION_MAX)],
        description=_l("Stored encrypted."),
        render_kw={"rows": 3},
    )
    owner_agency_id = SelectField(_l("Agency responsible"), choices=[], validate_choice=False)
    owner_user_id = SelectField(
        _l("Person responsible (optional)"), choices=[], validate_choice=False
    )
    due_on = DateField(_l("Due date"), validators=[InputRequired()])


class NewStepForm(StepFields, OnceForm):
    """Adding a step is taken once (a double click adds one step)."""


class StepEventForm(FlaskForm):
    event = HiddenField(validators=[DataRequired()])


class ApprovalRequestForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired()])


class ApprovalDecisionForm(FlaskForm):
    decision = RadioField(
        _l("Your decision"),
        choices=lambda: options([("approve", _l("Approve")), ("decline", _l("Decline"))]),
        validators=[InputRequired()],
    )
    reason = TextAreaField(
        _l("Reason (needed to decline)"),
        validators=[Optional(), Length(max=REASON_MAX)],
        description=_l("The person who asked reads it. Stored encrypted."),
        render_kw={"rows": 3},
    )
