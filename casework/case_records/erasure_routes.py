"""Erasure pages: erase one closed case (typed confirmation), and the cases due for erasure."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework.case_records import bp, erasure
from casework.case_records.forms import EraseForm
from casework.case_records.operations import RecordError
from casework.cases.models import Case
from casework.policy import Action
from casework.web.access import permission
from casework.web.loading import load_or_404
from casework.web.views import INVALID, paginate, show_operation_error, signed_in_user

Page = str | tuple[str, int] | Response


@bp.route("/<uuid:case_id>/erase", methods=["GET", "POST"])
@permission(Action.ERASE_CASE)
def erase(case_id: uuid.UUID) -> Page:
    """GET explains and asks for the case reference; only a POST with it erases."""
    case = load_or_404(Case, case_id, Action.ERASE_CASE)
    form = EraseForm()
    if form.validate_on_submit():
        if not erasure.erase_confirmed(case, form.confirmation.data):
            form.confirmation.errors = [_("That is not this case's reference. Nothing was erased.")]
        else:
            try:
                erasure.erase_case(signed_in_user(), case, reason="supervisor_request")
            except RecordError as error:
                show_operation_error(form, error)
            else:
                flash(_("The case's identifying data has been erased."), "success")
                return redirect(url_for("cases.view_case", case_id=case.id))
    status = INVALID if request.method == "POST" else 200
    return render_template("case_records/erase.html", case=case, form=form), status


@bp.route("/erasure-due")
@permission(Action.ERASE_CASE)
def erasure_due() -> Page:
    """Closed cases of the supervisor's agency past the retention period."""
    page = paginate(erasure.visible_due_for_erasure(signed_in_user()))
    return render_template("case_records/erasure_due.html", page=page)
