"""Referral pages: refer a case, the inbox, what was sent, one referral and its answers.

Load, authorise, act: the object (404 if missing), the policy (404 on refusal), then an
operation with plain data. A refused transition is a message on the referral page (409).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from casework.cases.guard import Change, ensure_may_change, refusal
from casework.cases.models import Case
from casework.core.errors import OperationError
from casework.policy import Action, can
from casework.referrals import bp, operations, queries
from casework.referrals.forms import (
    AcceptForm,
    AgencyFilterForm,
    DeclineForm,
    ReferralFilterForm,
    ReferralForm,
)
from casework.referrals.models import Referral
from casework.web.access import permission
from casework.web.forms import ConfirmForm, options
from casework.web.loading import load_or_404
from casework.web.views import (
    CONFLICT,
    INVALID,
    Page,
    form_status,
    paginate,
    show_operation_error,
    signed_in_user,
)


def _agency_choices(case: Case, filters: AgencyFilterForm) -> list[Any]:
    consented = queries.consented_agency_ids(case)
    agencies = queries.receiving_agencies(
        case, services=filters.need.data or [], country=filters.country.data or None
    )
    choices = [("", _("Choose an agency"))]
    for agency in agencies:
        note = _("consent recorded") if agency.id in consented else _("no consent recorded")
        label = f"{agency.name} ({country_name(agency.country)}) - {note}"
        choices.append((str(agency.id), label))
    return options(choices)


def country_name(code: str) -> str:
    from casework.vocab import country_name as name

    return name(code)


@bp.route("/new/<uuid:case_id>", methods=["GET", "POST"])
@permission(Action.CREATE_REFERRAL)
def new_referral(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.CREATE_REFERRAL)
    ensure_may_change(case, Change.REFER)
    filters = AgencyFilterForm(formdata=request.args)
    filters.validate()
    form = ReferralForm()
    if request.method == "GET" and filters.need.data:
        form.services.data = filters.need.data
    # On POST every active agency is a valid choice: the operation checks the rest.
    choice_filters = filters if request.method == "GET" else AgencyFilterForm(formdata=None)
    form.to_agency_id.choices = _agency_choices(case, choice_filters)
    if form.validate_on_submit():
        try:
            referral = operations.create_referral(
                signed_in_user(),
                case,
                to_agency_id=form.to_agency_id.data,
                services=form.services.data,
                urgency=form.urgency.data,
                reason=form.reason.data,
                shared_groups=form.shared_groups.data,
                reason_code=form.reason_code.data,
            )
        except operations.ReferralError as error:
            show_operation_error(form, error)
        else:
            flash(_("The referral has been sent. The agency is told now."), "success")
            return redirect(url_for("referrals.view_referral", referral_id=referral.id), 303)
    status = form_status()
    return render_template("referrals/new.html", case=case, form=form, filters=filters), status


def _list(kind: str) -> Page:
    filters = ReferralFilterForm(formdata=request.args)
    values = {"status": None, "service": None, "urgency": None, "country": None}
    if filters.validate():
        values = {name: getattr(filters, name).data or None for name in values}
    builder = queries.inbox if kind == "inbox" else queries.sent
    query = builder(signed_in_user(), **values)
    counts = queries.status_counts(builder(signed_in_user(), **{**values, "status": None}))
    return render_template(
        "referrals/list.html", kind=kind, filters=filters, page=paginate(query), counts=counts
    )


@bp.route("/inbox")
@permission(Action.VIEW_REFERRAL_INBOX)
def inbox() -> Page:
    return _list("inbox")


@bp.route("/sent")
@permission(Action.LIST_SENT_REFERRALS)
def sent() -> Page:
    return _list("sent")


def _accept_form(referral: Referral) -> AcceptForm:
    form = AcceptForm()
    staff = [(str(user.id), user.name) for user in operations.receiving_staff(referral)]
    form.receiving_caseworker_id.choices = [("", _("Not named yet")), *staff]
    return form


def _page(referral: Referral, status: int = 200, **forms: Any) -> Page:
    if "accept_form" not in forms and can(signed_in_user(), Action.RESPOND_REFERRAL, referral):
        forms["accept_form"] = _accept_form(referral)
    return render_template(
        "referrals/view.html",
        referral=referral,
        case=referral.case,
        confirm=ConfirmForm(),
        **forms,
    ), status


@bp.route("/<uuid:referral_id>")
@permission(Action.VIEW_REFERRAL)
def view_referral(referral_id: uuid.UUID) -> Page:
    referral = load_or_404(Referral, referral_id, Action.VIEW_REFERRAL)
    return _page(referral)


def _refused(referral: Referral, error: OperationError) -> Page:
    flash(str(error), "warning")
    return _page(referral, CONFLICT)


def _case_refuses(referral: Referral, change: Change) -> Page | None:
    """The referral page with the case's refusal, when the case does not allow `change` (an
    erased case): the receiver may no longer see the case page, so they stay on the referral."""
    message = refusal(referral.case, change)
    if message is None:
        return None
    return _refused(referral, operations.TransitionRefused(message))


@bp.route("/<uuid:referral_id>/accept", methods=["POST"])
@permission(Action.RESPOND_REFERRAL)
def accept(referral_id: uuid.UUID) -> Page:
    referral = load_or_404(Referral, referral_id, Action.RESPOND_REFERRAL)
    form = _accept_form(referral)
    if not form.validate_on_submit():
        return _page(referral, INVALID, accept_form=form)
    try:
        operations.accept_referral(
            signed_in_user(), referral, caseworker_id=form.receiving_caseworker_id.data
        )
    except operations.TransitionRefused as error:
        return _refused(referral, error)
    except operations.ReferralError as error:
        show_operation_error(form, error)
        return _page(referral, INVALID, accept_form=form)
    flash(_("Referral accepted. You can now open the case and record services."), "success")
    return redirect(url_for("referrals.view_referral", referral_id=referral.id), 303)


@bp.route("/<uuid:referral_id>/decline", methods=["GET", "POST"])
@permission(Action.RESPOND_REFERRAL)
def decline(referral_id: uuid.UUID) -> Page:
    referral = load_or_404(Referral, referral_id, Action.RESPOND_REFERRAL)
    if (ended := _case_refuses(referral, Change.END_REFERRAL)) is not None:
        return ended
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            operations.decline_referral(signed_in_user(), referral, reason=form.reason.data)
        except operations.TransitionRefused as error:
            return _refused(referral, error)
        except operations.ReferralError as error:
            show_operation_error(form, error)
        else:
            flash(_("Referral declined. The sender has been told."), "success")
            return redirect(url_for("referrals.view_referral", referral_id=referral.id), 303)
    status = form_status()
    return render_template("referrals/decline.html", referral=referral, form=form), status


def _confirmed(referral: Referral, action: str) -> Page:
    """GET asks for confirmation (access ends); POST acts."""
    if (ended := _case_refuses(referral, Change.END_REFERRAL)) is not None:
        return ended
    form = ConfirmForm()
    if request.method == "GET" or not form.validate_on_submit():
        status = 200 if request.method == "GET" else INVALID
        return render_template(
            "referrals/confirm.html", referral=referral, form=form, action=action
        ), status
    try:
        if action == "complete":
            operations.complete_referral(signed_in_user(), referral)
            flash(_("Referral completed. Your access to the case has ended."), "success")
        else:
            operations.revoke_referral(signed_in_user(), referral)
            flash(_("Referral revoked. The agency no longer has access to the case."), "success")
    except operations.ReferralError as error:
        return _refused(referral, error)
    return redirect(url_for("referrals.view_referral", referral_id=referral.id), 303)


@bp.route("/<uuid:referral_id>/complete", methods=["GET", "POST"])
@permission(Action.COMPLETE_REFERRAL)
def complete(referral_id: uuid.UUID) -> Page:
    referral = load_or_404(Referral, referral_id, Action.COMPLETE_REFERRAL)
    return _confirmed(referral, "complete")


@bp.route("/<uuid:referral_id>/revoke", methods=["GET", "POST"])
@permission(Action.REVOKE_REFERRAL)
def revoke(referral_id: uuid.UUID) -> Page:
    referral = load_or_404(Referral, referral_id, Action.REVOKE_REFERRAL)
    return _confirmed(referral, "revoke")
