"""The case lists: "My cases" and "Agency cases", paginated, sorted, filtered, searchable.

The filters (status, risk, assignee, order) are in the query string; a search is POSTed and
comes back as a short-lived token (`search_tokens`), so no identifying value is in a URL.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from casework.cases import bp, queries, search_tokens
from casework.cases.filters import FILTERS, CaseFilterForm, CaseSearchForm
from casework.policy import Action, can, visible_field_groups
from casework.web.access import permission
from casework.web.views import INVALID, Page, paginate, signed_in_user

LISTS = {"mine": "cases.my_cases", "agency": "cases.agency_cases"}


def _case_list(*, mine: bool) -> Page:
    endpoint = LISTS["mine" if mine else "agency"]
    if set(request.args) - {*FILTERS, "search", "page"}:
        # A search term typed into the address (or an old bookmark): not read, and taken out
        # of the address at once, so that it goes no further (history, links, logs).
        flash(_("Search with the search form: terms in the address are not used."), "info")
        kept: dict[str, Any] = {
            k: v for k, v in request.args.items() if k in (*FILTERS, "search", "page")
        }
        return redirect(url_for(endpoint, **kept), 303)
    assignees = None if mine else queries.assignee_choices(signed_in_user())
    filters = MultiDict([(k, v) for k, v in request.args.items(multi=True) if k in FILTERS])
    searched = _recalled(request.args.get("search"))
    if searched is not None:
        filters["q"], filters["search_in"] = searched
    form = CaseFilterForm(formdata=filters, assignees=assignees)
    search_form = CaseSearchForm(formdata=None, assignees=assignees, obj=None, data=form.data)
    page = None
    searched_as = None
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
            **_reading(),
        )
        page = paginate(query)
        if form.q.data and not page.total:
            searched_as = queries.understood(
                form.q.data, form.search_in.data or "any", **_reading()
            )
    else:
        status = INVALID
        search_form = CaseSearchForm(formdata=filters, assignees=assignees)
        search_form.validate()
    names = queries.user_names({case.assigned_to_id for case in page.items} if page else set())
    return render_template(
        "cases/list.html",
        form=search_form,
        page=page,
        mine=mine,
        endpoint=endpoint,
        list_kind="mine" if mine else "agency",
        assignee_names=names,
        shows_person=lambda case: "identity_contact" in visible_field_groups(current_user, case),
        searched=form.q.data if searched_as is not None else None,
        searched_as=searched_as,
        filtered=any(filters.get(name) for name in ("status", "risk", "assignee")),
    ), status


def _reading() -> dict[str, str | None]:
    """How the signed-in person writes dates (their language) and phone numbers (their
    agency's country), for the search."""
    agency = getattr(signed_in_user(), "agency", None)
    return {"language": str(get_locale()), "region": getattr(agency, "country", None)}


def _recalled(token: str | None) -> tuple[str, str] | None:
    if not token:
        return None
    searched = search_tokens.recall(token)
    if searched is None:
        flash(_("That search has expired. Search again."), "info")
    return searched


@bp.route("")
@permission(Action.LIST_MY_CASES)
def my_cases() -> Page:
    return _case_list(mine=True)


@bp.route("/agency")
@permission(Action.LIST_AGENCY_CASES)
def agency_cases() -> Page:
    return _case_list(mine=False)


@bp.route("/search", methods=["POST"])
@permission(Action.LIST_MY_CASES)
def search_cases() -> Page:
    """The list form, POSTed: the filters go back into the list's URL, the search term into
    a token (nothing identifying in a URL)."""
    kind = request.args.get("list", "mine")
    if kind not in LISTS or (kind == "agency" and not can(current_user, Action.LIST_AGENCY_CASES)):
        kind = "mine"
    assignees = None if kind == "mine" else queries.assignee_choices(signed_in_user())
    form = CaseSearchForm(assignees=assignees)
    if not form.validate():
        return render_template(
            "cases/list.html",
            form=form,
            page=None,
            mine=kind == "mine",
            endpoint=LISTS[kind],
            list_kind=kind,
            assignee_names={},
            shows_person=lambda case: False,
        ), INVALID
    values: dict[str, Any] = {
        name: form[name].data for name in FILTERS if name in form and form[name].data
    }
    if form.q.data:
        values["search"] = search_tokens.remember(form.q.data, form.search_in.data or "any")
    return redirect(url_for(LISTS[kind], **values), 303)
