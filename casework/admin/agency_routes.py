"""Agency pages: list and search, create, edit, deactivate and reactivate."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from casework.admin import bp, operations, queries
from casework.admin.forms import AgencyForm, AgencySearchForm, SetActiveForm
from casework.agencies.models import Agency
from casework.policy import Action
from casework.web.access import permission
from casework.web.loading import load_or_404
from casework.web.views import (
    INVALID,
    Page,
    form_status,
    paginate,
    show_operation_error,
    signed_in_user,
)


@bp.route("/agencies")
@permission(Action.MANAGE_AGENCIES)
def list_agencies() -> Page:
    form = AgencySearchForm(formdata=request.args)
    if not form.validate():
        return render_template("admin/agencies/list.html", form=form, page=None), INVALID
    page = paginate(queries.agency_list(signed_in_user(), q=form.q.data, status=form.status.data))
    counts = queries.user_counts(agency.id for agency in page.items)
    return render_template("admin/agencies/list.html", form=form, page=page, counts=counts)


@bp.route("/agencies/new", methods=["GET", "POST"])
@permission(Action.MANAGE_AGENCIES)
def new_agency() -> Page:
    form = AgencyForm()
    if form.validate_on_submit():
        try:
            operations.create_agency(
                signed_in_user(),
                name=form.name.data,
                org_type=form.org_type.data,
                country=form.country.data,
                services_offered=form.services_offered.data,
                time_zone=form.time_zone.data,
            )
        except operations.AdminInputError as error:
            show_operation_error(form, error)
        else:
            flash(_("The agency has been created."), "success")
            return redirect(url_for("admin.list_agencies"))
    status = form_status()
    return render_template("admin/agencies/form.html", form=form, agency=None), status


@bp.route("/agencies/<uuid:agency_id>/edit", methods=["GET", "POST"])
@permission(Action.MANAGE_AGENCIES)
def edit_agency(agency_id: uuid.UUID) -> Page:
    agency = load_or_404(Agency, agency_id, Action.MANAGE_AGENCIES)
    form = AgencyForm(obj=agency)
    if form.validate_on_submit():
        try:
            changed = operations.update_agency(
                signed_in_user(),
                agency,
                name=form.name.data,
                org_type=form.org_type.data,
                country=form.country.data,
                services_offered=form.services_offered.data,
                time_zone=form.time_zone.data,
            )
        except operations.AdminInputError as error:
            show_operation_error(form, error)
        else:
            if changed:
                flash(_("The agency has been saved."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for("admin.list_agencies"))
    status = form_status()
    return render_template("admin/agencies/form.html", form=form, agency=agency), status


@bp.route("/agencies/<uuid:agency_id>/active", methods=["GET", "POST"])
@permission(Action.MANAGE_AGENCIES)
def set_agency_active(agency_id: uuid.UUID) -> Page:
    """GET asks for confirmation; only the POST changes anything."""
    agency = load_or_404(Agency, agency_id, Action.MANAGE_AGENCIES)
    if request.method == "GET":
        form = SetActiveForm(active="0" if agency.active else "1")
    else:
        form = SetActiveForm()  # no default: the wanted state must be sent
    if form.validate_on_submit():
        wanted = form.active.data == "1"
        try:
            changed = operations.set_agency_active(signed_in_user(), agency, wanted)
        except operations.AdminInputError as error:
            flash(str(error), "danger")
            return render_confirm(agency, form), INVALID
        if not changed:
            flash(_("Nothing was changed."), "info")
        elif wanted:
            flash(_("The agency has been reactivated."), "success")
        else:
            flash(_("The agency has been deactivated and its users signed out."), "success")
        return redirect(url_for("admin.list_agencies"))
    return render_confirm(agency, form), form_status()


def render_confirm(agency: Agency, form: SetActiveForm) -> str:
    deactivating = form.active.data != "1"
    return render_template(
        "admin/agencies/confirm_active.html",
        agency=agency,
        form=form,
        deactivating=deactivating,
        active_users=queries.active_user_count(agency),
    )
