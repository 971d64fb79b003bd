"""Admin forms. Each form declares exactly the fields it accepts: anything else a request
posts (a role on the agency form, a password hash on the user form) is never read."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

# Lazy, with a context ("Active" account, not case); named so extraction finds the context.
from flask_babel import lazy_pgettext as pgettext
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    SearchField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from casework.core.time_zones import time_zone_names
from casework.vocab import ORGANISATION_TYPES, ROLES, SERVICE_TYPES, country_choices
from casework.web.forms import checkboxes, options, squash, strip

NAME_MAX = 200  # Agency.name, User.name
EMAIL_MAX = 254  # User.email
SEARCH_MAX = 100

# Outcomes the sign-in code writes (casework.auth.operations), for the sign-in filter.
SIGN_IN_OUTCOMES = ("success", "failure", "unknown_account", "locked", "denied", "throttled")


def _status_choices() -> list[SelectChoice]:
    return options(
        [
            ("", _l("All")),
            ("active", pgettext("account status", "Active")),
            ("inactive", _l("Deactivated")),
        ]
    )


class AgencyForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[squash],
        validators=[DataRequired(_l("Enter the agency's name.")), Length(max=NAME_MAX)],
        render_kw={"autocomplete": "organization"},
    )
    org_type = SelectField(
        _l("Type of organisation"),
        choices=lambda: options(ORGANISATION_TYPES.choices(blank=_l("Choose a type"))),
        validators=[DataRequired(_l("Choose the type of organisation."))],
    )
    country = SelectField(
        _l("Country"),
        choices=lambda: options(country_choices(blank=_l("Choose a country"))),
        validators=[DataRequired(_l("Choose the country."))],
    )
    time_zone = SelectField(
        _l("Time zone"),
        choices=lambda: (
            [("", str(_l("The country's main time zone")))]
            + [(zone, zone) for zone in time_zone_names()]
        ),
        default="",
        description=_l("Dates and times are shown to the agency's staff in this time zone."),
    )
    services_offered = checkboxes(
        _l("Services offered"),
        lambda: options(SERVICE_TYPES.choices()),
        description=_l("Referrals for these services can be sent to this agency."),
    )


class UserForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the person's work email address.")),
            Length(max=EMAIL_MAX),
            Email(_l("Enter an email address like name@agency.org.")),
        ],
        description=_l("They sign in with it. Stored in lower case."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    name = StringField(
        _l("Full name"),
        filters=[squash],
        validators=[DataRequired(_l("Enter the person's name.")), Length(max=NAME_MAX)],
        render_kw={"autocomplete": "off"},
    )
    agency_id = SelectField(
        _l("Agency"), validators=[DataRequired(_l("Choose the agency they work for."))]
    )
    role = SelectField(
        _l("Role"),
        choices=lambda: options(ROLES.choices(blank=_l("Choose a role"))),
        validators=[DataRequired(_l("Choose a role."))],
        description=_l("What they may see and do. Administrators never see cases."),
    )

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency_id.choices = options([("", _l("Choose an agency")), *agencies])


REGION = "region"  # the report scope value meaning "all countries"


class ReportScopeForm(FlaskForm):
    """What a coordinator reports on: one country or the whole region."""

    scope = SelectField(
        _l("Reports on"),
        choices=lambda: options([(REGION, _l("The region (all countries)")), *country_choices()]),
        validators=[DataRequired(_l("Choose a country or the region."))],
        description=_l(
            "Coordinators see anonymised figures for this country or the whole region, never "
            "a case or a person."
        ),
    )


class SetActiveForm(FlaskForm):
    """Confirms a deactivation or reactivation. The wanted state is explicit, so sending the
    form twice does not switch the account back."""

    active = HiddenField(validators=[InputRequired(), AnyOf(["0", "1"])])


# ---- list filters (GET, no CSRF: they change nothing) -----------------------------------


class FilterForm(FlaskForm):
    class Meta:
        csrf = False


class AgencySearchForm(FilterForm):
    q = SearchField(_l("Name contains"), filters=[squash], validators=[Length(max=SEARCH_MAX)])
    status = SelectField(_l("Status"), choices=_status_choices, default="")


class UserSearchForm(FilterForm):
    q = SearchField(
        _l("Name or email contains"), filters=[squash], validators=[Length(max=SEARCH_MAX)]
    )
    agency = SelectField(_l("Agency"), default="")
    role = SelectField(
        _l("Role"), choices=lambda: options(ROLES.choices(blank=_l("All roles"))), default=""
    )
    status = SelectField(_l("Status"), choices=_status_choices, default="")

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency.choices = options([("", _l("All agencies")), *agencies])


class SignInFilterForm(FilterForm):
    user = StringField(
        _l("User (email or id)"),
        filters=[strip],
        validators=[Length(max=EMAIL_MAX)],
        render_kw={"spellcheck": "false"},
    )
    outcome = SelectField(
        _l("Outcome"),
        choices=lambda: options([("", _l("All outcomes")), *((o, o) for o in SIGN_IN_OUTCOMES)]),
        default="",
    )


class AuditFilterForm(FilterForm):
    action = StringField(
        _l("Action starts with"),
        filters=[strip],
        validators=[Length(max=64)],
        description=_l('For example "user." or "sign_in."'),
        render_kw={"spellcheck": "false"},
    )
    actor = StringField(
        _l("Actor (email or id)"),
        filters=[strip],
        validators=[Length(max=EMAIL_MAX)],
        render_kw={"spellcheck": "false"},
    )
    target = StringField(
        _l("Target id"),
        filters=[strip],
        validators=[Length(max=64)],
        render_kw={"spellcheck": "false"},
    )
    outcome = StringField(
        _l("Outcome"),
        filters=[strip],
        validators=[Length(max=16)],
        description=_l('For example "success", "failure" or "denied".'),
    )
    date_from = DateField(_l("From (date, UTC)"), validators=[Optional()])
    date_to = DateField(_l("To (date, UTC, inclusive)"), validators=[Optional()])

    def validate_date_to(self, field: Any) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))
