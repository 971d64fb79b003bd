"""Service pages: the agency's service records, one record with its counselling sessions,
recording and editing them, and a case's support plan."""

from __future__ import annotations

import uuid
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from casework.cases.guard import Change, ensure_may_change, service_change
from casework.cases.models import Case
from casework.policy import Action
from casework.services import bp, operations, queries
from casework.services.forms import (
    ServiceFilterForm,
    ServiceForm,
    SessionForm,
    SupportPlanForm,
    limit_status_choices,
)
from casework.services.models import ServiceRecord
from casework.web.access import authorize, permission
from casework.web.forms import options
from casework.web.loading import load_or_404
from casework.web.views import (
    CONFLICT,
    Page,
    form_status,
    paginate,
    show_operation_error,
    signed_in_user,
)


def _record_data(form: ServiceForm) -> dict[str, Any]:
    return {
        name: getattr(form, name).data
        for name in (
            "service_type",
            "status",
            "discontinued_reason",
            "start_on",
            "due_on",
            "end_on",
            "outcome",
            "notes",
        )
    }


@bp.route("/")
@permission(Action.VIEW_SERVICES)
def list_services() -> Page:
    filters = ServiceFilterForm(formdata=request.args)
    status = service_type = None
    if filters.validate():
        status, service_type = filters.status.data or None, filters.service_type.data or None
    page = paginate(
        queries.service_list(signed_in_user(), status=status, service_type=service_type)
    )
    return render_template("services/list.html", filters=filters, page=page)


@bp.route("/new/<uuid:case_id>", methods=["GET", "POST"])
@permission(Action.RECORD_SERVICE)
def new_service(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.RECORD_SERVICE)
    ensure_may_change(case, service_change(signed_in_user(), case, Change.RECORD_SERVICE))
    form = ServiceForm()
    if form.validate_on_submit():
        try:
            record = operations.create_service_record(signed_in_user(), case, **_record_data(form))
        except operations.ServiceError as error:
            show_operation_error(form, error)
        else:
            flash(_("The service has been recorded."), "success")
            return redirect(url_for("services.view_service", service_id=record.id), 303)
    status = form_status()
    return render_template("services/form.html", form=form, case=case, record=None), status


@bp.route("/<uuid:service_id>")
@permission(Action.VIEW_SERVICES)
def view_service(service_id: uuid.UUID) -> Page:
    record = load_or_404(ServiceRecord, service_id, Action.VIEW_SERVICES)
    return render_template("services/view.html", record=record, case=record.case)


@bp.route("/<uuid:service_id>/edit", methods=["GET", "POST"])
@permission(Action.EDIT_SERVICE)
def edit_service(service_id: uuid.UUID) -> Page:
    record = load_or_404(ServiceRecord, service_id, Action.EDIT_SERVICE)
    ensure_may_change(
        record.case, service_change(signed_in_user(), record.case, Change.EDIT_SERVICE)
    )
    form = ServiceForm(obj=record) if request.method == "GET" else ServiceForm()
    if request.method == "GET":
        form.version.data = str(record.version)
    if form.validate_on_submit():
        try:
            changed = operations.update_service_record(
                signed_in_user(), record, version=form.version.data, **_record_data(form)
            )
        except operations.StaleRecord as error:
            form.form_errors.append(str(error))
            form.version.data = str(record.version)  # saving again overwrites knowingly
            limit_status_choices(form, record)
            return render_template(
                "services/form.html", form=form, case=record.case, record=record, stale=True
            ), CONFLICT
        except operations.ServiceError as error:
            show_operation_error(form, error)
        else:
            flash(
                _("The service record has been saved.") if changed else _("Nothing was changed."),
                "success" if changed else "info",
            )
            return redirect(url_for("services.view_service", service_id=record.id), 303)
    limit_status_choices(form, record)
    status = form_status()
    return render_template("services/form.html", form=form, case=record.case, record=record), status


@bp.route("/<uuid:service_id>/sessions/new", methods=["GET", "POST"])
@permission(Action.EDIT_SERVICE)
def new_session(service_id: uuid.UUID) -> Page:
    record = load_or_404(ServiceRecord, service_id, Action.EDIT_SERVICE)
    authorize(Action.RECORD_SERVICE, record.case)
    ensure_may_change(
        record.case, service_change(signed_in_user(), record.case, Change.RECORD_SERVICE)
    )
    form = SessionForm()
    form.counsellor_id.choices = options(
        (str(u.id), u.name) for u in operations.counsellor_choices(record.provider_agency_id)
    )
    if request.method == "GET":
        form.counsellor_id.data = str(signed_in_user().id)
    if form.validate_on_submit():
        try:
            operations.record_session(
                signed_in_user(), record, **{f.name: f.data for f in form if f.name != "csrf_token"}
            )
        except operations.ServiceError as error:
            show_operation_error(form, error)
        else:
            flash(_("The session has been recorded."), "success")
            return redirect(url_for("services.view_service", service_id=record.id), 303)
    status = form_status()
    return render_template("services/session_form.html", form=form, record=record), status


@bp.route("/plan/<uuid:case_id>", methods=["GET", "POST"])
@permission(Action.EDIT_CASE)
def edit_plan(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.EDIT_CASE)
    ensure_may_change(case, Change.EDIT_SUPPORT_PLAN)
    plan = queries.support_plan(signed_in_user(), case)
    form = SupportPlanForm(obj=plan) if request.method == "GET" else SupportPlanForm()
    if request.method == "GET" and plan is not None:
        form.objectives.data = plan.objectives
        form.assessment.data = plan.assessment
    if form.validate_on_submit():
        try:
            operations.save_support_plan(
                signed_in_user(),
                case,
                objectives=form.objectives.data,
                planned_end_on=form.planned_end_on.data,
                actual_end_on=form.actual_end_on.data,
                service_types=form.service_types.data,
                plan_types=form.plan_types.data,
                assessment=form.assessment.data,
            )
        except operations.ServiceError as error:
            show_operation_error(form, error)
        else:
            flash(_("The support plan has been saved."), "success")
            return redirect(
                url_for("cases.view_case", case_id=case.id, _anchor="section-support_plan"), 303
            )
    status = form_status()
    return render_template("services/plan_form.html", form=form, case=case, plan=plan), status
