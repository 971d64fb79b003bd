"""The approvals page: accounts and second-factor resets waiting for the actor's decision."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import AnyOf

from casework.accounts import bp, operations
from casework.accounts.scopes import awaiting_decision
from casework.auth.models import User
from casework.policy import Action
from casework.web.access import permission
from casework.web.loading import load_or_404
from casework.web.views import Page, paginate, signed_in_user

DECISIONS = {
    ("account", "approve"): operations.approve_account,
    ("account", "refuse"): operations.refuse_account,
    ("second_factor", "approve"): operations.approve_mfa_reset,
    ("second_factor", "refuse"): operations.refuse_mfa_reset,
}


class DecisionForm(FlaskForm):
    subject = HiddenField(validators=[AnyOf(["account", "second_factor"])])
    decision = HiddenField(validators=[AnyOf(["approve", "refuse"])])


@bp.route("/approvals")
@permission(Action.APPROVE_ACCOUNT)
def approvals() -> Page:
    query = awaiting_decision(signed_in_user()).order_by(User.created_at)
    return render_template("accounts/approvals.html", page=paginate(query), form=DecisionForm())


@bp.route("/<uuid:user_id>/decision", methods=["POST"])
@permission(Action.APPROVE_ACCOUNT)
def decide(user_id: uuid.UUID) -> Page:
    user = load_or_404(User, user_id, Action.APPROVE_ACCOUNT)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("Choose to approve or to refuse."), "danger")
        return redirect(url_for("accounts.approvals"))
    act = DECISIONS[(form.subject.data or "", form.decision.data or "")]
    try:
        act(signed_in_user(), user)
    except operations.ApprovalError as error:
        flash(str(error.message), "warning")
        return redirect(url_for("accounts.approvals"))
    flash(_("Your decision has been recorded."), "success")
    return redirect(url_for("accounts.approvals"))
