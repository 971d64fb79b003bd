"""Service, counselling session and support plan forms."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from casework.domain import SERVICE_TRANSITIONS
from casework.services.models import ServiceRecord
from casework.services.operations import MAX_SESSION_MINUTES, NOTES_MAX, service_date_problem
from casework.vocab import (
    DISCONTINUATION_REASONS,
    MODALITIES,
    RISK_FLAGS,
    SERVICE_OUTCOMES,
    SERVICE_STATUSES,
    SERVICE_TYPES,
    SUPPORT_PLAN_TYPES,
)
from casework.web.forms import checkboxes, options


class ServiceForm(FlaskForm):
    service_type = SelectField(
        _l("Service"),
        choices=lambda: options(SERVICE_TYPES.choices(blank=_l("Choose a service"))),
        validators=[DataRequired(_l("Choose the service."))],
    )
    status = SelectField(
        _l("Status"),
        choices=lambda: options(SERVICE_STATUSES.choices()),
        validators=[DataRequired(_l("Choose the status."))],
    )
    discontinued_reason = SelectField(
        _l("Why discontinued"),
        choices=lambda: options(DISCONTINUATION_REASONS.choices(blank=_l("Not discontinued"))),
        validators=[Optional()],
        description=_l("Required when the status is Discontinued."),
    )
    start_on = DateField(_l("Start date"), validators=[Optional()])
    due_on = DateField(
        _l("Due date"),
        validators=[Optional()],
        description=_l("When it should be done: after this it shows as a task."),
    )
    end_on = DateField(_l("End date"), validators=[Optional()])
    outcome = SelectField(
        _l("Outcome"),
        choices=lambda: options(SERVICE_OUTCOMES.choices(blank=_l("Not yet known"))),
        validators=[Optional()],
    )
    notes = TextAreaField(
        _l("Notes"),
        validators=[Optional(), Length(max=NOTES_MAX)],
        description=_l("Stored encrypted. Seen by your agency and the case's caseworker."),
        render_kw={"rows": 4},
    )
    version = HiddenField()

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        problem = service_date_problem(self.start_on.data, self.due_on.data, self.end_on.data)
        if problem is not None:
            field, message = problem
            getattr(self, field).errors.append(message)
            return False
        return valid


class SessionForm(FlaskForm):
    held_on = DateField(
        _l("Date of the session"), validators=[InputRequired(_l("Enter the date."))]
    )
    duration_minutes = IntegerField(
        _l("Duration (minutes)"),
        validators=[
            InputRequired(_l("Enter the duration.")),
            NumberRange(1, MAX_SESSION_MINUTES),
        ],
    )
    counsellor_id = SelectField(
        _l("Counsellor"), validators=[DataRequired(_l("Choose the counsellor."))]
    )
    modality = SelectField(
        _l("How it was held"),
        choices=lambda: options(MODALITIES.choices(blank=_l("Choose"))),
        validators=[DataRequired(_l("Choose how the session was held."))],
    )
    notes = TextAreaField(
        _l("Session notes"),
        validators=[Optional(), Length(max=NOTES_MAX)],
        description=_l(
            "Confidential to your agency: the agency that referred the person never sees them. "
            "Stored encrypted."
        ),
        render_kw={"rows": 5},
    )
    shared_summary = TextAreaField(
        _l("Summary to share with the referring agency (optional)"),
        validators=[Optional(), Length(max=NOTES_MAX)],
        description=_l(
            "The referring agency sees that the session took place, its date, length, the risks "
            "you tick and this summary, nothing else. Leave it empty to share no summary."
        ),
        render_kw={"rows": 3},
    )
    risk_flags = checkboxes(
        _l("Risks noticed"),
        lambda: options(RISK_FLAGS.choices()),
        validators=[Optional()],
        description=_l("Any risk ticked alerts the case's caseworker at once."),
    )
    next_appointment_on = DateField(_l("Next appointment"), validators=[Optional()])


class SupportPlanForm(FlaskForm):
    plan_types = checkboxes(
        _l("Plan types (HTCDS 2.0)"),
        lambda: options(SUPPORT_PLAN_TYPES.choices()),
        validators=[Optional()],
    )
    assessment = TextAreaField(
        _l("Assessment of needs"),
        validators=[Optional(), Length(max=NOTES_MAX)],
        description=_l("Stored encrypted. A change needs a new approval."),
        render_kw={"rows": 5},
    )
    objectives = TextAreaField(
        _l("Objectives"),
        validators=[Optional(), Length(max=NOTES_MAX)],
        description=_l("Stored encrypted."),
        render_kw={"rows": 5},
    )
    service_types = checkboxes(
        _l("Services needed"), lambda: options(SERVICE_TYPES.choices()), validators=[Optional()]
    )
    planned_end_on = DateField(_l("Planned end date"), validators=[Optional()])
    actual_end_on = DateField(_l("Actual end date"), validators=[Optional()])


def limit_status_choices(form: ServiceForm, record: ServiceRecord) -> None:
    """Before an edit form is shown: offer the record's status and those SERVICE_TRANSITIONS
    lets it move to (and what was chosen, when the form comes back with an error). Called
    after validation only, so a stale form still meets the version check first."""
    reachable = SERVICE_TRANSITIONS.targets_from(record.status)
    offered = {record.status, form.status.data or "", *reachable}
    form.status.choices = options(
        (code, SERVICE_STATUSES.label(code)) for code in SERVICE_STATUSES.codes if code in offered
    )


class ServiceFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=lambda: options(SERVICE_STATUSES.choices(blank=_l("All"))),
        validators=[Optional()],
    )
    service_type = SelectField(
        _l("Service"),
        choices=lambda: options(SERVICE_TYPES.choices(blank=_l("All"))),
        validators=[Optional()],
    )
