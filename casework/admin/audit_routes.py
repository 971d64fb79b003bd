"""The sign-in history and the audit trail: read-only, filtered, paged, newest first.

Looking at either is itself recorded ("audit.viewed"): the trail says who watched it.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_sqlalchemy.pagination import Pagination

from casework import audit
from casework.admin import bp, queries
from casework.admin.forms import AuditFilterForm, SignInFilterForm
from casework.policy import Action
from casework.web.access import permission
from casework.web.views import INVALID, paginate, signed_in_user


def _names(page: Pagination) -> dict[str, dict[str, Any]]:
    """Who and what each event is about, in words: the name and email of actors and user
    targets (for an actor who may manage accounts), names of agency targets, and the case
    reference of a case or any record of one. One query per kind, never one per row."""
    events = list(page.items)
    user_ids = {e.actor_id for e in events} | {
        e.target_id for e in events if e.target_type == "users"
    }
    agency_ids = {e.target_id for e in events if e.target_type == "agencies"}
    return {
        "users": queries.user_names(signed_in_user(), user_ids),
        "agencies": queries.agency_names(agency_ids),
        "cases": queries.target_case_references((e.target_type, e.target_id) for e in events),
    }


def _render(template: str, form: Any, page: Pagination | None) -> str:
    names = _names(page) if page is not None else {"users": {}, "agencies": {}, "cases": {}}
    return render_template(template, form=form, page=page, names=names)


@bp.route("/sign-ins")
@permission(Action.VIEW_AUDIT)
def sign_ins() -> str | tuple[str, int]:
    form = SignInFilterForm(formdata=request.args)
    if not form.validate():
        return _render("admin/sign_ins.html", form, None), INVALID
    query = queries.sign_in_events(signed_in_user(), user=form.user.data, outcome=form.outcome.data)
    page = paginate(query)
    audit.record("audit.viewed", actor=signed_in_user(), detail="sign_ins")
    return _render("admin/sign_ins.html", form, page)


@bp.route("/audit")
@permission(Action.VIEW_AUDIT)
def audit_log() -> str | tuple[str, int]:
    form = AuditFilterForm(formdata=request.args)
    if not form.validate():
        return _render("admin/audit_log.html", form, None), INVALID
    query = queries.audit_events(
        signed_in_user(),
        action=form.action.data,
        who=form.actor.data,
        target=form.target.data,
        outcome=form.outcome.data,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )
    page = paginate(query)
    audit.record("audit.viewed", actor=signed_in_user(), detail="audit_log")
    return _render("admin/audit_log.html", form, page)
