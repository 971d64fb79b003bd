"""Consent pages: record one (with its signed form, optionally), withdraw one (confirmed),
attach a signed form later. Load, authorise, act; every change is a POST."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from casework.cases import bp
from casework.cases.attachments import operations as attachments
from casework.cases.consents import operations as consents
from casework.cases.consents.forms import ConsentForm, ConsentFormUpload
from casework.cases.errors import RecordError
from casework.cases.guard import Change, ensure_may_change
from casework.cases.models import Case, Consent
from casework.policy import Action, can
from casework.web.access import authorize, permission
from casework.web.forms import ConfirmForm
from casework.web.loading import load_or_404
from casework.web.views import Page, form_status, show_operation_error, signed_in_user


def _refused(case_page: str, error: RecordError) -> Response:
    flash(str(error), "danger")
    return redirect(case_page)


@bp.route("/<uuid:case_id>/consents/new", methods=["GET", "POST"])
@permission(Action.RECORD_CONSENT)
def new_consent(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.RECORD_CONSENT)
    ensure_may_change(case, Change.RECORD_CONSENT)
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
    return render_template("cases/consents/consent_form.html", case=case, form=form), form_status()


@bp.route("/<uuid:case_id>/consents/<uuid:consent_id>/withdraw", methods=["GET", "POST"])
@permission(Action.RECORD_CONSENT)
def withdraw_consent(case_id: uuid.UUID, consent_id: uuid.UUID) -> Page:
    """GET asks for confirmation; only the POST withdraws."""
    case = load_or_404(Case, case_id, Action.RECORD_CONSENT)
    consent = load_or_404(Consent, consent_id, Action.RECORD_CONSENT, parent=case)
    ensure_may_change(case, Change.WITHDRAW_CONSENT)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            consents.withdraw_consent(signed_in_user(), case, consent)
        except RecordError as error:
            return _refused(url_for("cases.view_case", case_id=case.id), error)
        flash(_("The consent has been withdrawn. It no longer allows anything."), "success")
        if not can(current_user, Action.VIEW_CASE, case):
            # The registration consent: the case is now its supervisors' alone (0063).
            flash(_("The case is now restricted to your agency's supervisors."), "info")
            return redirect(url_for("cases.my_cases"))
        return redirect(url_for("cases.view_case", case_id=case.id))
    page = "cases/consents/withdraw_consent.html"
    return render_template(page, case=case, consent=consent, form=form), form_status()


@bp.route("/<uuid:case_id>/consents/<uuid:consent_id>/form", methods=["GET", "POST"])
@permission(Action.RECORD_CONSENT)
def attach_consent_form(case_id: uuid.UUID, consent_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.RECORD_CONSENT)
    authorize(Action.ADD_ATTACHMENT, case)
    consent = load_or_404(Consent, consent_id, Action.RECORD_CONSENT, parent=case)
    ensure_may_change(case, Change.ADD_ATTACHMENT)
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
    page = "cases/consents/consent_upload.html"
    return render_template(page, case=case, consent=consent, form=form), form_status()
