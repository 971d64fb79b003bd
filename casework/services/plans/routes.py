"""The action plan's pages (on the services blueprint): add and edit a step, move it (start,
complete, re-open, cancel), request an approval of the plan, decide one. Thin: the
operations decide and audit."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from casework.cases.guard import Change, ensure_may_change, plan_step_change
from casework.cases.models import Case
from casework.policy import Action, can
from casework.services import bp
from casework.services.plans import approvals, operations
from casework.services.plans.forms import (
    ApprovalDecisionForm,
    ApprovalRequestForm,
    NewStepForm,
    StepEventForm,
    StepFields,
)
from casework.services.plans.models import PlanApproval, PlanStep
from casework.web import once
from casework.web.access import permission
from casework.web.forms import options
from casework.web.loading import load_or_404
from casework.web.views import Page, form_status, show_operation_error, signed_in_user


def _back(case: Case) -> str:
    return url_for("cases.view_case", case_id=case.id, _anchor="section-support_plan")


def _offer_owners(form: StepFields, case: Case, *, owner_fixed: PlanStep | None = None) -> None:
    """The agencies a step may belong to and their people (a partner keeps its own)."""
    if owner_fixed is not None:
        agencies = [owner_fixed.owner_agency]
    else:
        agencies = operations.owner_agencies(case)
    form.owner_agency_id.choices = options((str(a.id), a.name) for a in agencies)
    people = operations.owner_people([a.id for a in agencies])
    names = {a.id: a.name for a in agencies}
    form.owner_user_id.choices = options(
        [("", _("No one named yet"))]
        + [(str(u.id), f"{u.name} ({names.get(u.agency_id, '')})") for u in people]
    )


@bp.route("/plan/<uuid:case_id>/steps/new", methods=["GET", "POST"])
@permission(Action.MANAGE_PLAN_STEPS)
def new_plan_step(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.MANAGE_PLAN_STEPS)
    ensure_may_change(case, Change.EDIT_SUPPORT_PLAN)
    form = NewStepForm()
    _offer_owners(form, case)
    if request.method == "GET":
        form.owner_agency_id.data = str(case.agency_id)
    if form.validate_on_submit():
        claim = once.claim(form.submission.data, signed_in_user().id, "add_plan_step")
        if not claim.first:
            flash(_("This form had already been sent: the step was added once."), "info")
            return redirect(_back(case), 303)
        try:
            step = operations.add_plan_step(
                signed_in_user(),
                case,
                description=form.description.data,
                owner_agency_id=form.owner_agency_id.data,
                owner_user_id=form.owner_user_id.data,
                due_on=form.due_on.data,
            )
        except operations.PlanStepError as error:
            show_operation_error(form, error)
        else:
            once.settle(form.submission.data, step.id)
            flash(_("The step has been added to the plan."), "success")
            return redirect(_back(case), 303)
    status = form_status()
    return render_template("services/step_form.html", form=form, case=case, step=None), status


@bp.route("/plan/<uuid:case_id>/steps/<uuid:step_id>/edit", methods=["GET", "POST"])
@permission(Action.UPDATE_PLAN_STEP)
def edit_plan_step(case_id: uuid.UUID, step_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.VIEW_SUPPORT_PLAN)
    step = load_or_404(PlanStep, step_id, Action.UPDATE_PLAN_STEP, parent=case)
    user = signed_in_user()
    ensure_may_change(case, plan_step_change(user, case))
    form = StepFields(obj=step) if request.method == "GET" else StepFields()
    if request.method == "GET":
        form.description.data = step.description
        form.owner_agency_id.data = str(step.owner_agency_id)
        form.owner_user_id.data = str(step.owner_user_id or "")
    owns_plan = can(user, Action.MANAGE_PLAN_STEPS, case)
    _offer_owners(form, case, owner_fixed=None if owns_plan else step)
    if form.validate_on_submit():
        try:
            changed = operations.update_plan_step(
                user,
                step,
                description=form.description.data,
                due_on=form.due_on.data,
                owner_agency_id=form.owner_agency_id.data,
                owner_user_id=form.owner_user_id.data,
            )
        except operations.PlanStepError as error:
            show_operation_error(form, error)
        else:
            flash(
                _("The step has been saved.") if changed else _("Nothing was changed."),
                "success" if changed else "info",
            )
            return redirect(_back(case), 303)
    status = form_status()
    return render_template(
        "services/step_form.html", form=form, case=case, step=step, owns_plan=owns_plan
    ), status


@bp.route("/plan/<uuid:case_id>/steps/<uuid:step_id>/move", methods=["POST"])
@permission(Action.UPDATE_PLAN_STEP)
def move_plan_step(case_id: uuid.UUID, step_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.VIEW_SUPPORT_PLAN)
    step = load_or_404(PlanStep, step_id, Action.UPDATE_PLAN_STEP, parent=case)
    ensure_may_change(case, plan_step_change(signed_in_user(), case))
    form = StepEventForm()
    if not form.validate_on_submit():
        flash(_("Nothing was changed."), "info")
        return redirect(_back(case), 303)
    try:
        operations.move_plan_step(signed_in_user(), step, form.event.data)
    except operations.PlanStepError as error:
        flash(str(error), "danger")
    else:
        flash(_("The step has been saved."), "success")
    return redirect(_back(case), 303)


@bp.route("/plan/<uuid:case_id>/approvals", methods=["POST"])
@permission(Action.REQUEST_PLAN_APPROVAL)
def request_plan_approval(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.REQUEST_PLAN_APPROVAL)
    ensure_may_change(case, Change.EDIT_SUPPORT_PLAN)
    form = ApprovalRequestForm()
    if form.validate_on_submit():
        try:
            approvals.request_plan_approval(signed_in_user(), case, kind=form.kind.data)
        except approvals.ApprovalError as error:
            flash(str(error), "danger")
        else:
            flash(_("A supervisor has been asked to approve it."), "success")
    return redirect(_back(case), 303)


@bp.route("/plan/<uuid:case_id>/approvals/<uuid:approval_id>", methods=["GET", "POST"])
@permission(Action.DECIDE_PLAN_APPROVAL)
def decide_plan_approval(case_id: uuid.UUID, approval_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.VIEW_SUPPORT_PLAN)
    approval = load_or_404(PlanApproval, approval_id, Action.DECIDE_PLAN_APPROVAL, parent=case)
    ensure_may_change(case, Change.EDIT_SUPPORT_PLAN)
    form = ApprovalDecisionForm()
    if form.validate_on_submit():
        try:
            approvals.decide_plan_approval(
                signed_in_user(),
                approval,
                approve=form.decision.data == "approve",
                reason=form.reason.data,
            )
        except approvals.ApprovalError as error:
            show_operation_error(form, error)
        else:
            flash(_("Your decision has been recorded."), "success")
            return redirect(_back(case), 303)
    status = form_status()
    return render_template(
        "services/approval_decision.html", form=form, case=case, approval=approval
    ), status
