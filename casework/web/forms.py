"""Form building blocks every feature shares."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget


class ConfirmForm(FlaskForm):
    """Only a CSRF token: the confirmation step of an action that cannot be undone."""


def squash(value: Any) -> Any:
    """Trim and collapse runs of spaces, so "Mekong  Shelter " and "Mekong Shelter" match."""
    return " ".join(value.split()) if isinstance(value, str) else value


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def options(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """(value, label) pairs as the options of a select."""
    return [SelectChoice(value=value, label=str(label)) for value, label in pairs]


def checkboxes(label: object, choices: object, **kwargs: Any) -> SelectMultipleField:
    """A multiple choice shown as a list of checkboxes (one per option)."""
    return SelectMultipleField(
        label,
        choices=choices,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        **kwargs,
    )
