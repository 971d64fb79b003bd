"""Transfer forms. Each declares exactly the fields it accepts; the operations check the
same rules again (and the consent) for any caller."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from casework.transfers.operations import REASON_MAX
from casework.vocab import SHARED_GROUPS
from casework.web.forms import checkboxes, options


class TransferForm(FlaskForm):
    to_agency_id = SelectField(
        _l("Agency that takes the lead"),
        validators=[DataRequired(_l("Choose the agency to transfer to."))],
        description=_l("The person must have consented to sharing with the agency you choose."),
    )
    shared_groups = checkboxes(
        _l("What the agency takes over"),
        lambda: options(SHARED_GROUPS.choices()),
        validators=[Optional()],
        description=_l(
            "Hand over what the agency needs to carry the case. Your agency keeps reading what "
            "it recorded, and nothing recorded after the transfer."
        ),
    )
    reason = TextAreaField(
        _l("Reason for the transfer"),
        validators=[DataRequired(_l("Say why the case is transferred.")), Length(max=REASON_MAX)],
        description=_l("Seen by the receiving agency. Stored encrypted."),
        render_kw={"rows": 4},
    )


class DeclineTransferForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is the transfer declined?"),
        validators=[DataRequired(_l("Say why the transfer is declined.")), Length(max=REASON_MAX)],
        description=_l("The sender sees this. Stored encrypted."),
        render_kw={"rows": 3},
    )
