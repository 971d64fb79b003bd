"""The forms of the home page: snooze a task until a day, mark it done."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField
from wtforms.validators import DataRequired, Length


class TaskForm(FlaskForm):
    key = HiddenField(validators=[DataRequired(), Length(max=160)])


class SnoozeForm(TaskForm):
    until = DateField(_l("Snooze until"), validators=[DataRequired()])
