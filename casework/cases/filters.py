"""The filters and search of the case lists. The filters read from the URL (GET, no CSRF: they
change nothing and identify no one); the search term is POSTed with a CSRF token and never
read from a URL (`search_tokens`)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField
from wtforms.validators import Length

from casework.cases.form_parts import NOT_ON_LIST
from casework.vocab import CASE_STATUS_GROUP_LABELS, CASE_STATUSES, RISK_LEVELS
from casework.web.forms import squash

SEARCH_MAX = 200


def _status_choices() -> list[tuple[str, str]]:
    """Every label from the vocabularies: the groups, then each status."""
    return [
        ("", str(_l("All statuses"))),
        *CASE_STATUS_GROUP_LABELS.choices(),
        *CASE_STATUSES.choices(),
    ]


def _search_in_choices() -> list[tuple[str, str]]:
    return [
        ("any", str(_l("Everything below"))),
        ("reference", str(_l("Reference"))),
        ("name", str(_l("Name"))),
        ("date_of_birth", str(_l("Date of birth"))),
        ("document", str(_l("Identity document number"))),
        ("phone", str(_l("Phone number"))),
    ]


def _sort_choices() -> list[tuple[str, str]]:
    return [
        ("updated", str(_l("Last updated"))),
        ("reference", str(_l("Reference"))),
        ("identified", str(_l("Identification date"))),
        ("risk", str(_l("Risk level"))),
        ("status", str(_l("Status"))),
    ]


class CaseFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(
        _l("Search"),
        filters=[squash],
        validators=[Length(max=SEARCH_MAX)],
        description=_l(
            "A reference; a name or part of one, in any order or script; a date of birth; "
            "an identity document or phone number."
        ),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    search_in = SelectField(
        _l("Search in"),
        choices=_search_in_choices,
        default="any",
        invalid_choice_message=NOT_ON_LIST,
    )
    status = SelectField(
        _l("Status"), choices=_status_choices, default="", invalid_choice_message=NOT_ON_LIST
    )
    risk = SelectField(
        _l("Risk level"),
        choices=lambda: RISK_LEVELS.choices(blank=_l("All risk levels")),
        default="",
        invalid_choice_message=NOT_ON_LIST,
    )
    assignee = SelectField(_l("Assigned to"), default="", invalid_choice_message=NOT_ON_LIST)
    sort = SelectField(
        _l("Sort by"), choices=_sort_choices, default="updated", invalid_choice_message=NOT_ON_LIST
    )
    order = SelectField(
        _l("Order"),
        choices=lambda: [("desc", str(_l("Descending"))), ("asc", str(_l("Ascending")))],
        default="desc",
        invalid_choice_message=NOT_ON_LIST,
    )

    def __init__(self, *args: Any, assignees: list[tuple[str, str]] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if assignees is None:
            del self.assignee  # "My cases": always the signed-in user
        else:
            self.assignee.choices = [
                ("", str(_l("Anyone"))),
                ("none", str(_l("Nobody (unassigned)"))),
                *assignees,
            ]


# The fields a list's URL may carry: none of them identifies a person.
FILTERS = ("status", "risk", "assignee", "sort", "order")


class CaseSearchForm(CaseFilterForm):
    """The same fields, POSTed with a CSRF token (the search term must not be in a URL)."""

    class Meta:
        csrf = True
