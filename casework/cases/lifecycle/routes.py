"""A case's life: request closure, decide on it (four eyes), the requests awaiting a decision,
re-open a closed case, erase a closed case's identifying data, the cases due for erasure.
Every decision is a POST with its own confirmation page."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework.cases import bp
from casework.cases.errors import RecordError
from casework.cases.guard import Change, ensure_may_change, may_change
from casework.cases.lifecycle import closure, erasure, reopening
from casework.cases.lifecycle.forms import (
    ClosureDecisionForm,
    ClosureRequestForm,
    EraseAllDueForm,
    EraseForm,
)
from casework.cases.lifecycle.jobs import ERASE_DUE_OF_AGENCY
from casework.cases.models import Case
from casework.core.extensions import db
from casework.jobs.api import start_job
from casework.policy import Action
from casework.web.access import permission
from casework.web.forms import ConfirmForm
from casework.web.loading import load_or_404
from casework.web.views import Page, form_status, paginate, show_operation_error, signed_in_user


def _refused(case_page: str, error: RecordError) -> Response:
    flash(str(error), "danger")
    return redirect(case_page)


@bp.route("/<uuid:case_id>/closure/request", methods=["GET", "POST"])
@permission(Action.REQUEST_CLOSURE)
def request_closure(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.REQUEST_CLOSURE)
    ensure_may_change(case, Change.REQUEST_CLOSURE)
    form = ClosureRequestForm()
    if form.validate_on_submit():
        try:
            closure.request_closure(
                signed_in_user(), case, reason=form.reason.data, status=form.status.data
            )
        except RecordError as error:
            show_operation_error(form, error)
        else:
            flash(_("Closure has been requested. A supervisor will decide."), "success")
            return redirect(url_for("cases.view_case", case_id=case.id))
    page = "cases/lifecycle/closure_request.html"
    return render_template(page, case=case, form=form), form_status()


@bp.route("/closure-requests")
@permission(Action.APPROVE_CLOSURE)
def closure_requests() -> Page:
    """Closure requests of the supervisor's agency awaiting a decision, oldest first."""
    page = paginate(closure.pending_closures(signed_in_user()))
    return render_template("cases/lifecycle/closure_requests.html", page=page)


@bp.route("/<uuid:case_id>/closure/decide", methods=["GET", "POST"])
@permission(Action.APPROVE_CLOSURE)
def decide_closure(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.APPROVE_CLOSURE)
    ensure_may_change(case, Change.DECIDE_CLOSURE)
    form = ClosureDecisionForm()
    if form.validate_on_submit():
        try:
            if form.decision.data == "approve":
                closure.approve_closure(signed_in_user(), case)
                message = _("The case is closed.")
            else:
                closure.reject_closure(signed_in_user(), case, note=form.note.data or "")
                message = _("The closure request has been sent back. The case stays open.")
        except RecordError as error:
            show_operation_error(form, error)
        else:
            flash(message, "success")
            return redirect(url_for("cases.view_case", case_id=case.id))
    page = "cases/lifecycle/closure_decide.html"
    return render_template(page, case=case, form=form), form_status()


@bp.route("/<uuid:case_id>/reopen", methods=["GET", "POST"])
@permission(Action.APPROVE_CLOSURE)
def reopen(case_id: uuid.UUID) -> Page:
    """GET asks for confirmation (or says why the case cannot be re-opened); only the POST
    re-opens, and a refusal takes the person back to the case page with the message."""
    case = load_or_404(Case, case_id, Action.APPROVE_CLOSURE)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            reopening.reopen_case(signed_in_user(), case)
        except RecordError as error:
            return _refused(url_for("cases.view_case", case_id=case.id), error)
        flash(_("The case has been re-opened."), "success")
        return redirect(url_for("cases.view_case", case_id=case.id))
    return render_template("cases/lifecycle/reopen.html", case=case, form=form), form_status()


@bp.route("/<uuid:case_id>/erase", methods=["GET", "POST"])
@permission(Action.ERASE_CASE)
def erase(case_id: uuid.UUID) -> Page:
    """GET explains and asks for the case reference; only a POST with it erases. A case that
    cannot be erased (open, already erased) gets the page that says why, whatever was sent."""
    case = load_or_404(Case, case_id, Action.ERASE_CASE)
    form = EraseForm()
    if may_change(case, Change.ERASE) and form.validate_on_submit():
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
    return render_template("cases/lifecycle/erase.html", case=case, form=form), form_status()


@bp.route("/erasure-due")
@permission(Action.ERASE_CASE)
def erasure_due() -> Page:
    """Closed cases of the supervisor's agency past the retention period."""
    page = paginate(erasure.visible_due_for_erasure(signed_in_user()))
    return render_template("cases/lifecycle/erasure_due.html", page=page)


@bp.route("/erasure-due/erase-all", methods=["GET", "POST"])
@permission(Action.ERASE_CASE)
def erase_all_due() -> Page:
    """Erase every due case of the supervisor's agency as a job (progress on the job's page).
    The count must be typed back: the list may have changed since it was read."""
    from sqlalchemy import func, select

    actor = signed_in_user()
    due = erasure.visible_due_for_erasure(actor)
    count = db.session.execute(select(func.count()).select_from(due.subquery())).scalar_one()
    form = EraseAllDueForm()
    if count and form.validate_on_submit():
        if form.confirmation.data != str(count):
            form.confirmation.errors = [
                _("That is not the number of cases due (%(num)d). Nothing was erased.", num=count)
            ]
        else:
            job = start_job(ERASE_DUE_OF_AGENCY, started_by=actor)
            flash(_("The erasure has started. This page shows how far it has got."), "success")
            return redirect(url_for("jobs.view_job", job_id=job.id), 303)
    return render_template(
        "cases/lifecycle/erase_all_due.html", form=form, count=count
    ), form_status()
