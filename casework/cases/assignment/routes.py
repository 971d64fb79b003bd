"""The assignment page: a supervisor assigns the case to a caseworker or supervisor."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from casework.cases import bp
from casework.cases.assignment import operations
from casework.cases.assignment.forms import AssignForm
from casework.cases.errors import RecordError
from casework.cases.guard import Change, ensure_may_change
from casework.cases.models import Case
from casework.policy import Action
from casework.web.access import permission
from casework.web.loading import load_or_404
from casework.web.views import Page, form_status, show_operation_error, signed_in_user


@bp.route("/<uuid:case_id>/assign", methods=["GET", "POST"])
@permission(Action.ASSIGN_CASE)
def assign(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.ASSIGN_CASE)
    ensure_may_change(case, Change.ASSIGN)
    people = [
        (str(user.id), f"{user.name} ({user.email})") for user in operations.assignable_users(case)
    ]
    form = AssignForm(people=people)
    if request.method == "GET" and case.assigned_to_id:
        form.assignee.data = str(case.assigned_to_id)
    if form.validate_on_submit():
        try:
            changed = operations.assign_case(signed_in_user(), case, form.assignee.data)
        except RecordError as error:
            show_operation_error(form, error)
        else:
            if changed:
                flash(_("The case has been assigned."), "success")
            else:
                flash(_("Nothing was changed: the case was already theirs."), "info")
            return redirect(url_for("cases.view_case", case_id=case.id))
    return render_template("cases/assignment/assign.html", case=case, form=form), form_status()
