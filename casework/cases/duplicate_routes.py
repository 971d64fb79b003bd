"""A possible duplicate registered in another agency: the holding agency's supervisors see
who registered it and when, whom to contact, and close the task with their decision
(decision 0055). Nothing of the other agency's case is shown: only that it exists."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField

from casework.cases import bp
from casework.cases.duplicates import (
    OUTCOMES,
    DuplicateError,
    contacts,
    handle_possible_duplicate,
)
from casework.cases.models import PossibleDuplicate
from casework.policy import Action
from casework.web.access import permission
from casework.web.forms import options
from casework.web.loading import load_or_404
from casework.web.views import Page, form_status, show_operation_error, signed_in_user


class HandleForm(FlaskForm):
    outcome = RadioField(_l("What was decided"), choices=[], validate_choice=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.outcome.choices = options(OUTCOMES.choices())


@bp.route("/possible-duplicates/<uuid:match_id>", methods=["GET", "POST"])
@permission(Action.HANDLE_POSSIBLE_DUPLICATE)
def view_possible_duplicate(match_id: uuid.UUID) -> Page:
    found = load_or_404(PossibleDuplicate, match_id, Action.HANDLE_POSSIBLE_DUPLICATE)
    form = HandleForm()
    if found.handled_at is None and form.validate_on_submit():
        try:
            handle_possible_duplicate(signed_in_user(), found, form.outcome.data or "")
        except DuplicateError as error:
            show_operation_error(form, error)
        else:
            flash(_("The possible duplicate has been handled."), "success")
            return redirect(url_for("cases.view_case", case_id=found.case_id))
    return render_template(
        "cases/possible_duplicate.html",
        found=found,
        form=form,
        contacts=contacts(found),
        outcomes=OUTCOMES,
    ), form_status()
