"""Referral forms. Each declares exactly the fields it accepts; the operations check the
same rules again (and the consent) for any caller."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from casework.referrals.operations import REASON_MAX
from casework.vocab import (
    REFERRAL_REASONS,
    REFERRAL_STATUSES,
    SERVICE_TYPES,
    SHARED_GROUPS,
    URGENCIES,
    country_choices,
)
from casework.web.forms import checkboxes, options


class AgencyFilterForm(FlaskForm):
    """Narrows the agencies offered (GET: changes nothing)."""

    class Meta:
        csrf = False

    need = checkboxes(
        _l("Services the person needs"),
        lambda: options(SERVICE_TYPES.choices()),
        validators=[Optional()],
    )
    country = SelectField(
        _l("Country of the receiving agency"),
        choices=lambda: options(country_choices(blank=_l("Any country"))),
        validators=[Optional()],
    )


class ReferralForm(FlaskForm):
    to_agency_id = SelectField(
        _l("Receiving agency"),
        validators=[DataRequired(_l("Choose the agency to refer to."))],
        description=_l(
            "Agencies that offer the services chosen above. The person must have consented "
            "to sharing with the agency you choose."
        ),
    )
    services = checkboxes(
        _l("Services requested"),
        lambda: options(SERVICE_TYPES.choices()),
        validators=[DataRequired(_l("Choose at least one service."))],
    )
    urgency = SelectField(
        _l("Urgency"),
        choices=lambda: options(URGENCIES.choices(blank=_l("Choose the urgency"))),
        validators=[DataRequired(_l("Choose how urgent the referral is."))],
    )
    reason_code = SelectField(
        _l("Why the person is referred"),
        choices=lambda: options(REFERRAL_REASONS.choices(blank=_l("Not recorded"))),
        validators=[Optional()],
    )
    reason = TextAreaField(
        _l("Reason for the referral"),
        validators=[
            DataRequired(_l("Say why the person is referred.")),
            Length(max=REASON_MAX),
        ],
        description=_l("Seen by the receiving agency. Stored encrypted."),
        render_kw={"rows": 4},
    )
    shared_groups = checkboxes(
        _l("What the receiving agency may see"),
        lambda: options(SHARED_GROUPS.choices()),
        validators=[Optional()],
        description=_l(
            "Share only what they need. They see nothing else, and only once they accept."
        ),
    )


class AcceptForm(FlaskForm):
    """Accepting a referral, naming who will work with the person (HTCDS's referred primary
    caseworker). The choices are the receiving agency's staff (set by the view); the
    operation checks the name again."""

    receiving_caseworker_id = SelectField(
        _l("Who will work with the person"),
        validators=[Optional()],
        description=_l("The sending agency sees this name."),
    )


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is the referral declined?"),
        validators=[DataRequired(_l("Say why the referral is declined.")), Length(max=REASON_MAX)],
        description=_l("The sender sees this. Stored encrypted."),
        render_kw={"rows": 3},
    )


class ReferralFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=lambda: options(REFERRAL_STATUSES.choices(blank=_l("All"))),
        validators=[Optional()],
    )
    service = SelectField(
        _l("Service"),
        choices=lambda: options(SERVICE_TYPES.choices(blank=_l("All"))),
        validators=[Optional()],
    )
    urgency = SelectField(
        _l("Urgency"),
        choices=lambda: options(URGENCIES.choices(blank=_l("All"))),
        validators=[Optional()],
    )
    country = SelectField(
        _l("Country"),
        choices=lambda: options(country_choices(blank=_l("All"))),
        validators=[Optional()],
    )
