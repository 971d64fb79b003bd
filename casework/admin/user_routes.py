"""User pages: list and search, create, edit, deactivate and reactivate, reset the password
or ask for the second factor's reset. No page ever shows or takes another person's credential:
the person is sent a link to choose their password (decision 0056)."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from casework.admin import bp, operations, queries
from casework.admin.forms import (
    REGION,
    ReportScopeForm,
    SetActiveForm,
    UserForm,
    UserSearchForm,
)
from casework.auth.models import User
from casework.policy import Action, Role
from casework.reports.operations import ScopeError, set_coordinator_scope
from casework.reports.service import scope_of
from casework.web.access import permission
from casework.web.forms import ConfirmForm
from casework.web.loading import load_or_404
from casework.web.views import (
    INVALID,
    Page,
    form_status,
    paginate,
    show_operation_error,
    signed_in_user,
)


@bp.route("/users")
@permission(Action.MANAGE_USERS)
def list_users() -> Page:
    form = UserSearchForm(
        formdata=request.args, agencies=queries.all_agency_choices(signed_in_user())
    )
    if not form.validate():
        return render_template("admin/users/list.html", form=form, page=None), INVALID
    query = queries.user_list(
        signed_in_user(),
        q=form.q.data,
        agency_id=form.agency.data,
        role=form.role.data,
        status=form.status.data,
    )
    return render_template("admin/users/list.html", form=form, page=paginate(query))


def _sent_message(user: User, *, created: bool) -> str:
    if created and user.approved_at is None:
        message = _(
            "The account has been created. An invitation to choose a password has been sent "
            "to %(email)s; the account can be used once a supervisor of its agency (or, for "
            "its first supervisor, another administrator) approves it.",
            email=user.email,
        )
    elif created:
        message = _(
            "The account has been created. An invitation to choose a password has been sent "
            "to %(email)s.",
            email=user.email,
        )
    else:
        message = _(
            "The old password no longer works and every session has ended. A link to choose "
            "a new one has been sent to %(email)s.",
            email=user.email,
        )
    return str(message)


@bp.route("/users/new", methods=["GET", "POST"])
@permission(Action.MANAGE_USERS)
def new_user() -> Page:
    form = UserForm(agencies=queries.agency_choices(signed_in_user()))
    if form.validate_on_submit():
        try:
            user = operations.create_user(
                signed_in_user(),
                email=form.email.data,
                name=form.name.data,
                agency_id=form.agency_id.data,
                role=form.role.data,
            )
        except operations.AdminInputError as error:
            show_operation_error(form, error)
        else:
            flash(_sent_message(user, created=True), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    status = form_status()
    return render_template("admin/users/form.html", form=form, user=None), status


@bp.route("/users/<uuid:user_id>/edit", methods=["GET", "POST"])
@permission(Action.MANAGE_USERS)
def edit_user(user_id: uuid.UUID) -> Page:
    user = load_or_404(User, user_id, Action.MANAGE_USERS)
    choices = queries.agency_choices(signed_in_user(), include=user.agency_id)
    form = UserForm(obj=user, agencies=choices)
    if form.validate_on_submit():
        try:
            changed = operations.update_user(
                signed_in_user(),
                user,
                email=form.email.data,
                name=form.name.data,
                agency_id=form.agency_id.data,
                role=form.role.data,
            )
        except operations.AdminInputError as error:
            show_operation_error(form, error)
        else:
            if changed:
                flash(_("The account has been saved."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    status = form_status()
    return render_template(
        "admin/users/form.html", form=form, user=user, scope_form=_scope_form(user)
    ), status


def _scope_form(user: User, *, submitted: bool = False) -> ReportScopeForm | None:
    """The report scope form of a coordinator (None for other roles), showing the current
    scope (their agency's country until one is set) unless it was just submitted."""
    if user.role != Role.COORDINATOR:
        return None
    if submitted:
        return ReportScopeForm(prefix="report")
    current = scope_of(user).value or REGION
    return ReportScopeForm(prefix="report", formdata=None, data={"scope": current})


@bp.route("/users/<uuid:user_id>/report-scope", methods=["POST"])
@permission(Action.MANAGE_USERS)
def set_report_scope(user_id: uuid.UUID) -> Page:
    """Set the country or region a coordinator reports on (the admin sees no figures)."""
    user = load_or_404(User, user_id, Action.MANAGE_USERS)
    form = _scope_form(user, submitted=True)
    if form is None:
        abort(404)
    if form.validate_on_submit():
        value = form.scope.data
        try:
            changed = set_coordinator_scope(
                signed_in_user(), user, None if value == REGION else value
            )
        except ScopeError as error:
            show_operation_error(form, error)
        else:
            flash(
                _("The report scope has been saved.") if changed else _("Nothing was changed."),
                "success" if changed else "info",
            )
            return redirect(url_for("admin.edit_user", user_id=user.id))
    choices = queries.agency_choices(signed_in_user(), include=user.agency_id)
    return render_template(
        "admin/users/form.html",
        form=UserForm(obj=user, agencies=choices),
        user=user,
        scope_form=form,
    ), INVALID


@bp.route("/users/<uuid:user_id>/active", methods=["GET", "POST"])
@permission(Action.MANAGE_USERS)
def set_user_active(user_id: uuid.UUID) -> Page:
    """GET asks for confirmation; only the POST changes anything."""
    user = load_or_404(User, user_id, Action.MANAGE_USERS)
    if request.method == "GET":
        form = SetActiveForm(active="0" if user.active else "1")
    else:
        form = SetActiveForm()  # no default: the wanted state must be sent
    page = "admin/users/confirm_active.html"
    if form.validate_on_submit():
        wanted = form.active.data == "1"
        try:
            changed = operations.set_user_active(signed_in_user(), user, wanted)
        except operations.AdminInputError as error:
            flash(str(error), "danger")
            return render_template(page, user=user, form=form), INVALID
        if not changed:
            flash(_("Nothing was changed."), "info")
        elif wanted:
            flash(_("The account has been reactivated."), "success")
        else:
            flash(_("The account has been deactivated and signed out everywhere."), "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    status = form_status()
    return render_template(page, user=user, form=form), status


@bp.route("/users/<uuid:user_id>/reset-password", methods=["GET", "POST"])
@permission(Action.MANAGE_USERS)
def reset_password(user_id: uuid.UUID) -> Page:
    """GET asks for confirmation; the POST sends the person a link to choose a new one."""
    user = load_or_404(User, user_id, Action.MANAGE_USERS)
    form = ConfirmForm()
    page = "admin/users/confirm_reset.html"
    if form.validate_on_submit():
        try:
            operations.reset_user_password(signed_in_user(), user)
        except operations.AdminInputError as error:
            flash(str(error), "danger")
            return render_template(page, user=user, form=form, what="password"), INVALID
        flash(_sent_message(user, created=False), "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    status = form_status()
    return render_template(page, user=user, form=form, what="password"), status


@bp.route("/users/<uuid:user_id>/reset-second-factor", methods=["GET", "POST"])
@permission(Action.MANAGE_USERS)
def reset_second_factor(user_id: uuid.UUID) -> Page:
    """GET asks for confirmation; only the POST changes anything."""
    user = load_or_404(User, user_id, Action.MANAGE_USERS)
    form = ConfirmForm()
    page = "admin/users/confirm_reset.html"
    if form.validate_on_submit():
        try:
            operations.reset_user_second_factor(signed_in_user(), user)
        except operations.AdminInputError as error:
            flash(str(error), "danger")
            return render_template(page, user=user, form=form, what="second_factor"), INVALID
        flash(
            _(
                "The reset of the second factor waits for approval by a supervisor of the "
                "agency (or, where there is none, another administrator). They have been told."
            ),
            "success",
        )
        return redirect(url_for("admin.edit_user", user_id=user.id))
    status = form_status()
    return render_template(page, user=user, form=form, what="second_factor"), status
