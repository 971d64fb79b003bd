"""The assignment form: the choices are the case agency's active caseworkers and supervisors
(the operation refuses anyone else, whatever is posted)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired

from casework.web.forms import options


class AssignForm(FlaskForm):
    assignee = SelectField(
        _l("Assign to"),
        validators=[DataRequired(_l("Choose a caseworker or supervisor of the agency."))],
        description=_l("Active caseworkers and supervisors of the case's agency."),
    )

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assignee.choices = options([("", _l("Choose a person")), *people])
