"""Transfer pages: propose a transfer of a case, the list, one transfer and its answers.

Load, authorise, act: the object (404 if missing), the policy (404 on refusal), then an
operation with plain data. A refused transition is a message on the transfer page (409).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from casework.cases.guard import Change, ensure_may_change
from casework.cases.models import Case
from casework.core.errors import OperationError
from casework.policy import Action, can
from casework.transfers import bp, operations, queries
from casework.transfers.forms import DeclineTransferForm, TransferForm
from casework.transfers.models import CaseTransfer
from casework.vocab import country_name
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


def _agency_choices(case: Case) -> list[Any]:
    consented = {consent.shared_with_agency_id for consent in case.consents if consent.is_current}
    choices = [("", _("Choose an agency"))]
    for agency in queries.receiving_agencies(case):
        note = _("consent recorded") if agency.id in consented else _("no consent recorded")
        choices.append((str(agency.id), f"{agency.name} ({country_name(agency.country)}) - {note}"))
    return options(choices)


@bp.route("/new/<uuid:case_id>", methods=["GET", "POST"])
@permission(Action.PROPOSE_TRANSFER)
def new_transfer(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.PROPOSE_TRANSFER)
    ensure_may_change(case, Change.TRANSFER)
    form = TransferForm()
    form.to_agency_id.choices = _agency_choices(case)
    if form.validate_on_submit():
        try:
            transfer = operations.propose_transfer(
                signed_in_user(),
                case,
                to_agency_id=form.to_agency_id.data,
                shared_groups=form.shared_groups.data,
                reason=form.reason.data,
            )
        except operations.TransferError as error:
            show_operation_error(form, error)
        else:
            flash(_("The transfer has been proposed. The agency is told now."), "success")
            return redirect(url_for("transfers.view_transfer", transfer_id=transfer.id), 303)
    return render_template("transfers/new.html", case=case, form=form), form_status()


@bp.route("/")
@permission(Action.LIST_TRANSFERS)
def list_transfers() -> Page:
    return render_template("transfers/list.html", page=paginate(queries.listed(signed_in_user())))


def _page(transfer: CaseTransfer, status: int = 200) -> Page:
    actor = signed_in_user()
    records: dict[str, Any] = {}
    if can(actor, Action.VIEW_TRANSFERRED_RECORDS, transfer):
        records = {
            "notes": queries.own_notes(actor, transfer),
            "entries": queries.own_timeline(actor, transfer),
            "services": queries.own_services(actor, transfer),
        }
    return render_template(
        "transfers/view.html",
        transfer=transfer,
        case=transfer.case,
        confirm=ConfirmForm(),
        records=records,
    ), status


@bp.route("/<uuid:transfer_id>")
@permission(Action.VIEW_TRANSFER)
def view_transfer(transfer_id: uuid.UUID) -> Page:
    return _page(load_or_404(CaseTransfer, transfer_id, Action.VIEW_TRANSFER))


def _refused(transfer: CaseTransfer, error: OperationError) -> Page:
    flash(str(error), "warning")
    return _page(transfer, CONFLICT)


@bp.route("/<uuid:transfer_id>/accept", methods=["POST"])
@permission(Action.RESPOND_TRANSFER)
def accept(transfer_id: uuid.UUID) -> Page:
    transfer = load_or_404(CaseTransfer, transfer_id, Action.RESPOND_TRANSFER)
    if not ConfirmForm().validate_on_submit():
        return _page(transfer, INVALID)
    try:
        operations.accept_transfer(signed_in_user(), transfer)
    except operations.TransferError as error:
        return _refused(transfer, error)
    flash(_("Transfer accepted. The case is your agency's now: assign it."), "success")
    return redirect(url_for("transfers.view_transfer", transfer_id=transfer.id), 303)


@bp.route("/<uuid:transfer_id>/decline", methods=["GET", "POST"])
@permission(Action.RESPOND_TRANSFER)
def decline(transfer_id: uuid.UUID) -> Page:
    transfer = load_or_404(CaseTransfer, transfer_id, Action.RESPOND_TRANSFER)
    form = DeclineTransferForm()
    if form.validate_on_submit():
        try:
            operations.decline_transfer(signed_in_user(), transfer, reason=form.reason.data)
        except operations.TransferRefused as error:
            return _refused(transfer, error)
        except operations.TransferError as error:
            show_operation_error(form, error)
        else:
            flash(_("Transfer declined. The sender has been told."), "success")
            return redirect(url_for("transfers.view_transfer", transfer_id=transfer.id), 303)
    return render_template("transfers/decline.html", transfer=transfer, form=form), form_status()


@bp.route("/<uuid:transfer_id>/withdraw", methods=["POST"])
@permission(Action.WITHDRAW_TRANSFER)
def withdraw(transfer_id: uuid.UUID) -> Page:
    transfer = load_or_404(CaseTransfer, transfer_id, Action.WITHDRAW_TRANSFER)
    if not ConfirmForm().validate_on_submit():
        return _page(transfer, INVALID)
    try:
        operations.withdraw_transfer(signed_in_user(), transfer)
    except operations.TransferError as error:
        return _refused(transfer, error)
    flash(_("Transfer withdrawn. The agency has been told."), "success")
    return redirect(url_for("transfers.view_transfer", transfer_id=transfer.id), 303)
