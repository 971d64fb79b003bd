"""Consents, assignment and closure pages: load, authorise, act. Every change is a POST,
and every withdrawal or decision has its own confirmation page."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework.case_records import attachments, bp, consents, operations
from casework.case_records.forms import (
    AssignForm,
    ClosureDecisionForm,
    ClosureRequestForm,
    ConsentForm,
    ConsentFormUpload,
)
from casework.case_records.operations import RecordError
from casework.cases.models import Case, Consent
from casework.policy import Action
from casework.web.access import authorize, permission
from casework.web.forms import ConfirmForm
from casework.web.loading import load_or_404
from casework.web.views import INVALID, paginate, show_operation_error, signed_in_user

Page = str | tuple[str, int] | Response


def _status() -> int:
    return INVALID if request.method == "POST" else 200


def _refused(case_page: str, error: RecordError) -> Response:
    flash(str(error), "danger")
    return redirect(case_page)


# ---- consents --------------------------------------------------------------------------


@bp.route("/<uuid:case_id>/consents/new", methods=["GET", "POST"])
@permission(Action.RECORD_CONSENT)
def new_consent(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.RECORD_CONSENT)
    form = ConsentForm(agencies=consents.consent_agency_choices(case))
    if form.validate_on_submit():
        upload = form.signed_form.data
        if upload:
            authorize(Action.ADD_ATTACHMENT, case)
        try:
            consent = consents.record_consent(
                signed_in_user(),
                case,
                purpose=form.purpose.data,
                agency_id=form.agency_id.data,
                given_on=form.given_on.data,
                method=form.method.data,
            )
            if upload:
                attachments.attach_consent_form(
                    signed_in_user(), case, consent, filename=upload.filename, stream=upload.stream
                )
        except RecordError as error:
            show_operation_error(form, error)
        else:
            flash(_("The consent has been recorded."), "success")
            return redirect(url_for("cases.view_case", case_id=case.id))
    return render_template("case_records/consent_form.html", case=case, form=form), _status()


@bp.route("/<uuid:case_id>/consents/<uuid:consent_id>/withdraw", methods=["GET", "POST"])
@permission(Action.RECORD_CONSENT)
def withdraw_consent(case_id: uuid.UUID, consent_id: uuid.UUID) -> Page:
    """GET asks for confirmation; only the POST withdraws."""
    case = load_or_404(Case, case_id, Action.RECORD_CONSENT)
    consent = load_or_404(Consent, consent_id, Action.RECORD_CONSENT, parent=case)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            consents.withdraw_consent(signed_in_user(), case, consent)
        except RecordError as error:
            return _refused(url_for("cases.view_case", case_id=case.id), error)
        flash(_("The consent has been withdrawn. It no longer allows anything."), "success")
        return redirect(url_for("cases.view_case", case_id=case.id))
    page = "case_records/withdraw_consent.html"
    return render_template(page, case=case, consent=consent, form=form), _status()


@bp.route("/<uuid:case_id>/consents/<uuid:consent_id>/form", methods=["GET", "POST"])
@permission(Action.RECORD_CONSENT)
def attach_consent_form(case_id: uuid.UUID, consent_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.RECORD_CONSENT)
    authorize(Action.ADD_ATTACHMENT, case)
    consent = load_or_404(Consent, consent_id, Action.RECORD_CONSENT, parent=case)
    form = ConsentFormUpload()
    if form.validate_on_submit():
        upload = form.signed_form.data
        try:
            attachments.attach_consent_form(
                signed_in_user(), case, consent, filename=upload.filename, stream=upload.stream
            )
        except RecordError as error:
            show_operation_error(form, error)
        else:
            flash(_("The signed consent form has been attached."), "success")
            return redirect(url_for("cases.view_case", case_id=case.id))
    page = "case_records/consent_upload.html"
    return render_template(page, case=case, consent=consent, form=form), _status()


# ---- assignment ------------------------------------------------------------------------


@bp.route("/<uuid:case_id>/assign", methods=["GET", "POST"])
@permission(Action.ASSIGN_CASE)
def assign(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.ASSIGN_CASE)
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
    return render_template("case_records/assign.html", case=case, form=form), _status()


# ---- closure ---------------------------------------------------------------------------


@bp.route("/<uuid:case_id>/closure/request", methods=["GET", "POST"])
@permission(Action.REQUEST_CLOSURE)
def request_closure(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.REQUEST_CLOSURE)
    form = ClosureRequestForm()
    if form.validate_on_submit():
        try:
            operations.request_closure(
                signed_in_user(), case, reason=form.reason.data, status=form.status.data
            )
        except RecordError as error:
            show_operation_error(form, error)
        else:
            flash(_("Closure has been requested. A supervisor will decide."), "success")
            return redirect(url_for("cases.view_case", case_id=case.id))
    page = "case_records/closure_request.html"
    return render_template(page, case=case, form=form), _status()


@bp.route("/closure-requests")
@permission(Action.APPROVE_CLOSURE)
def closure_requests() -> Page:
    """Closure requests of the supervisor's agency awaiting a decision, oldest first."""
    page = paginate(operations.pending_closures(signed_in_user()))
    return render_template("case_records/closure_requests.html", page=page)


@bp.route("/<uuid:case_id>/closure/decide", methods=["GET", "POST"])
@permission(Action.APPROVE_CLOSURE)
def decide_closure(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.APPROVE_CLOSURE)
    form = ClosureDecisionForm()
    if form.validate_on_submit():
        try:
            if form.decision.data == "approve":
                operations.approve_closure(signed_in_user(), case)
                message = _("The case is closed.")
            else:
                operations.reject_closure(signed_in_user(), case, note=form.note.data or "")
                message = _("The closure request has been sent back. The case stays open.")
        except RecordError as error:
            show_operation_error(form, error)
        else:
            flash(message, "success")
            return redirect(url_for("cases.view_case", case_id=case.id))
    page = "case_records/closure_decide.html"
    return render_template(page, case=case, form=form), _status()


@bp.route("/<uuid:case_id>/reopen", methods=["GET", "POST"])
@permission(Action.APPROVE_CLOSURE)
def reopen(case_id: uuid.UUID) -> Page:
    """GET asks for confirmation; only the POST re-opens."""
    case = load_or_404(Case, case_id, Action.APPROVE_CLOSURE)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            operations.reopen_case(signed_in_user(), case)
        except RecordError as error:
            return _refused(url_for("cases.view_case", case_id=case.id), error)
        flash(_("The case has been re-opened."), "success")
        return redirect(url_for("cases.view_case", case_id=case.id))
    return render_template("case_records/reopen.html", case=case, form=form), _status()
