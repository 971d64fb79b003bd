"""Forms of the federation pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from casework.vocab.federation import PEER_CAPABILITIES
from casework.web.forms import checkboxes, strip


def capability_choices() -> list[tuple[str, str]]:
    return PEER_CAPABILITIES.choices()


class AddPeerForm(FlaskForm):
    address = StringField(
        _l("Address of the installation"),
        validators=[DataRequired(), Length(max=300)],
        filters=[strip],
        description=_l("As its administrator gave it, for example https://casework.example.org"),
    )
    fingerprint = TextAreaField(
        _l("Fingerprint (12 words)"),
        validators=[DataRequired(), Length(max=400)],
        description=_l(
            "Ask its administrator to read the words aloud, by telephone or in person, and type "
            "them here. Never take them from the same e-mail as the address."
        ),
    )
    capabilities = checkboxes(_l("It may send us"), choices=capability_choices)


class CapabilitiesForm(FlaskForm):
    capabilities = checkboxes(_l("It may send us"), choices=capability_choices)
