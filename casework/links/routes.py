"""Linked cases: link a case to another by its reference, remove a link (confirmed). Load,
authorise, act; every change is a POST (decision 0114)."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework.cases.errors import RecordError
from casework.cases.guard import Change, ensure_may_change
from casework.cases.models import Case
from casework.links import bp, operations
from casework.links.forms import LinkForm
from casework.links.models import CaseLink
from casework.policy import Action
from casework.web.access import deny, permission
from casework.web.forms import ConfirmForm
from casework.web.loading import load_or_404
from casework.web.views import Page, form_status, show_operation_error, signed_in_user


def _case_page(case: Case) -> Response:
    return redirect(url_for("cases.view_case", case_id=case.id, _anchor="section-links"))


@bp.route("/<uuid:case_id>/links/new", methods=["GET", "POST"])
@permission(Action.LINK_CASES)
def new_link(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.LINK_CASES)
    ensure_may_change(case, Change.LINK_CASES)
    form = LinkForm()
    if form.validate_on_submit():
        try:
            operations.link_cases(
                signed_in_user(),
                case,
                reference=form.reference.data or "",
                kind=form.kind.data or "",
                note=form.note.data,
            )
        except RecordError as error:
            show_operation_error(form, error)
        else:
            flash(_("The cases are linked."), "success")
            return _case_page(case)
    return render_template("links/link_form.html", case=case, form=form), form_status()


@bp.route("/<uuid:case_id>/links/<uuid:link_id>/remove", methods=["GET", "POST"])
@permission(Action.UNLINK_CASES)
def remove_link(case_id: uuid.UUID, link_id: uuid.UUID) -> Page:
    """GET asks for confirmation; only the POST removes the link."""
    case = load_or_404(Case, case_id, Action.VIEW_CASE)
    link = load_or_404(CaseLink, link_id, Action.UNLINK_CASES)
    if case.id not in (link.case_id, link.other_case_id):
        deny(Action.UNLINK_CASES, link)
    ensure_may_change(case, Change.LINK_CASES)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            operations.unlink_cases(signed_in_user(), case, link)
        except RecordError as error:
            flash(str(error), "danger")
            return _case_page(case)
        flash(_("The link has been removed."), "success")
        return _case_page(case)
    other = link.other_end(case.id)
    page = "links/remove_link.html"
    return render_template(page, case=case, link=link, other=other, form=form), form_status()
