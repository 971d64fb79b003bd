"""Erasure pages: erase one closed case (typed confirmation), and the cases due for erasure."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework.access import permission
from casework.admin.helpers import paginate
from casework.case_records import bp, erasure
from casework.case_records.forms import EraseForm
from casework.case_records.helpers import INVALID, actor, case_url, load_case, show_error
from casework.case_records.operations import RecordError
from casework.policy import Action

Page = str | tuple[str, int] | Response


@bp.route("/<uuid:case_id>/erase", methods=["GET", "POST"])
@permission(Action.ERASE_CASE)
def erase(case_id: uuid.UUID) -> Page:
    """GET explains and asks for the case reference; only a POST with it erases."""
    case = load_case(case_id, Action.ERASE_CASE)
    form = EraseForm()
    if form.validate_on_submit():
        if not erasure.erase_confirmed(case, form.confirmation.data):
            form.confirmation.errors = [_("That is not this case's reference. Nothing was erased.")]
        else:
            try:
                erasure.erase_case(actor(), case, reason="supervisor_request")
            except RecordError as error:
                show_error(form, error)
            else:
                flash(_("The case's identifying data has been erased."), "success")
                return redirect(case_url(case))
    status = INVALID if request.method == "POST" else 200
    return render_template("case_records/erase.html", case=case, form=form), status


@bp.route("/erasure-due")
@permission(Action.ERASE_CASE)
def erasure_due() -> Page:
    """Closed cases of the supervisor's agency past the retention period."""
    page = paginate(erasure.visible_due_for_erasure(actor()))
    return render_template("case_records/erasure_due.html", page=page)
