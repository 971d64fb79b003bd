"""The case lists: "My cases" and "Agency cases", paginated, sorted, filtered, searchable."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from casework.cases import bp, queries
from casework.cases.filters import CaseFilterForm
from casework.policy import Action, visible_field_groups
from casework.web.access import permission
from casework.web.views import INVALID, Page, paginate, signed_in_user


def _case_list(*, mine: bool) -> Page:
    endpoint = "cases.my_cases" if mine else "cases.agency_cases"
    assignees = None if mine else queries.assignee_choices(signed_in_user())
    form = CaseFilterForm(formdata=request.args, assignees=assignees)
    page = None
    status = 200
    if form.validate():
        query = queries.case_list(
            signed_in_user(),
            mine=mine,
            status=form.status.data or None,
            risk=form.risk.data or None,
            assignee=None if mine else form.assignee.data or None,
            q=form.q.data or None,
            search_in=form.search_in.data or "any",
            sort=form.sort.data or "updated",
            descending=form.order.data != "asc",
        )
        page = paginate(query)
    else:
        status = INVALID
    names = queries.user_names({case.assigned_to_id for case in page.items} if page else set())
    return render_template(
        "cases/list.html",
        form=form,
        page=page,
        mine=mine,
        endpoint=endpoint,
        assignee_names=names,
        shows_person=lambda case: "identity_contact" in visible_field_groups(current_user, case),
    ), status


@bp.route("")
@permission(Action.LIST_MY_CASES)
def my_cases() -> Page:
    return _case_list(mine=True)


@bp.route("/agency")
@permission(Action.LIST_AGENCY_CASES)
def agency_cases() -> Page:
    return _case_list(mine=False)
