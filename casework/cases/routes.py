"""Case pages: register, the case page (and its printable summary), edit, notes.

Load (404 if missing), authorise (404 and an audit event if refused), act through an
operation with plain data, render. Every opening of a case page is an audit event.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from casework import audit
from casework.cases import bp, changes, operations, queries
from casework.cases.duplicates import DUPLICATE_CHECKS, acknowledged, alert_probing, find_duplicates
from casework.cases.form_parts import MAX_CITIZENSHIPS
from casework.cases.forms import EditForm, NoteForm, RegisterForm, label_citizenships
from casework.cases.guard import Change, ensure_may_change
from casework.cases.models import Case
from casework.cases.presenting import describe
from casework.cases.record import CaseInput
from casework.core.db import utcnow
from casework.policy import Action, visible_field_groups, visible_note_categories
from casework.vocab import RECRUITMENT_EVENT
from casework.web import once
from casework.web.access import permission
from casework.web.errors import render_error
from casework.web.loading import load_or_404
from casework.web.views import CONFLICT, INVALID, Page, show_operation_error, signed_in_user

EXTRA_DOCUMENT_ROWS = 1
TOO_MANY = 429
FIRST_EVENT_KIND = RECRUITMENT_EVENT  # an interview starts with the recruitment


# ---- register ------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@permission(Action.CREATE_CASE)
def new_case() -> Page:
    if request.method == "GET":
        today = utcnow().date()
        form = RegisterForm(
            data={
                "identified_on": today,
                "consent_given_on": today,
                "events": [{"kind": FIRST_EVENT_KIND}],
            }
        )
        return render_template("cases/new.html", form=form, duplicates=None)
    form = RegisterForm()
    if form.add_row(request.form.get("add_row")):
        return render_template("cases/new.html", form=form, duplicates=None)
    if form.validate():
        user = signed_in_user()
        duplicates = find_duplicates(user, CaseInput.from_data(form.data))
        if not duplicates.found or acknowledged(duplicates, form.duplicates_seen.data):
            claim = once.claim(form.submission.data, signed_in_user().id, "register_case")
            if not claim.first:
                return _registered_before(claim)
            try:
                case = operations.register_case(user, form.data)
            except operations.CaseInputError as error:
                show_operation_error(form, error)
            else:
                once.settle(form.submission.data, case.id)
                flash(_("Case %(reference)s registered.", reference=case.reference), "success")
                return redirect(url_for("cases.view_case", case_id=case.id))
        elif not DUPLICATE_CHECKS.allowed(user.id):
            # Too many checks that saved nothing: the form is kept, nothing is shown.
            audit.record(
                "case.duplicate_check_refused", actor=user, outcome="throttled", durable=True
            )
            return render_template(
                "cases/new.html", form=form, duplicates=None, checks_throttled=True
            ), TOO_MANY
        else:
            # Nothing saved; the user sees the cases they may open, then continues or stops.
            DUPLICATE_CHECKS.count(user.id)
            if DUPLICATE_CHECKS.exhausted(user.id):
                alert_probing(user)
            return render_template("cases/new.html", form=form, duplicates=duplicates)
    return render_template("cases/new.html", form=form, duplicates=None), INVALID


def _registered_before(claim: once.Claim) -> Page:
    """The same registration form sent again (a double click, a retry): the case the first
    submission registered, nothing registered twice."""
    message = _("This form had already been sent: the case was registered once, here it is.")
    if claim.result_id is not None:
        flash(message, "info")
        return redirect(url_for("cases.view_case", case_id=claim.result_id), 303)
    return render_error(CONFLICT, _("Already sent"), _("This form had already been sent."))


# ---- the case page -------------------------------------------------------------------------


def _case_context(case: Case) -> dict[str, Any]:
    timeline = queries.case_timeline(signed_in_user(), case)
    reads, read_count = queries.case_reads(signed_in_user(), case)
    return {
        "case": case,
        "groups": visible_field_groups(current_user, case),
        "note_categories": visible_note_categories(current_user, case),
        "timeline": timeline,
        "reads": reads,
        "read_count": read_count,
        "names": queries.user_names(
            {
                case.assigned_to_id,
                *(e.actor_id for e in timeline),
                *(n.author_id for n in case.notes),
            }
        ),
    }


@bp.route("/<uuid:case_id>")
@permission(Action.VIEW_CASE)
def view_case(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.VIEW_CASE)
    operations.record_case_read(signed_in_user(), case, "page")
    return render_template("cases/view.html", note_form=NoteForm(), **_case_context(case))


@bp.route("/<uuid:case_id>/summary")
@permission(Action.VIEW_CASE)
def print_case(case_id: uuid.UUID) -> Page:
    """A printable summary: what the viewer may see, laid out for paper."""
    case = load_or_404(Case, case_id, Action.VIEW_CASE)
    operations.record_case_read(signed_in_user(), case, "print")
    return render_template("cases/summary.html", printed_at=utcnow(), **_case_context(case))


@bp.route("/<uuid:case_id>/notes", methods=["POST"])
@permission(Action.EDIT_CASE)
def add_note(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.EDIT_CASE)
    ensure_may_change(case, Change.ADD_NOTE)
    form = NoteForm()
    if form.validate():
        try:
            operations.add_case_note(signed_in_user(), case, form.body.data, form.category.data)
        except operations.CaseInputError as error:
            show_operation_error(form, error)
        else:
            flash(_("Note added."), "success")
            return redirect(url_for("cases.view_case", case_id=case.id, _anchor="notes"))
    # Shown again with the note as typed; the request is rolled back, the read stays.
    operations.record_case_read(signed_in_user(), case, "page", durable=True)
    return render_template("cases/view.html", note_form=form, **_case_context(case)), INVALID


# ---- edit ----------------------------------------------------------------------------------


def _edit_form_for(case: Case) -> EditForm:
    content = CaseInput.from_case(case)
    form = EditForm(formdata=None, data=content.form_data())
    _stamp(form, case, content)
    for _row in range(EXTRA_DOCUMENT_ROWS):
        form.documents.append_entry()
    form.events.append_entry()
    _room_for_a_citizenship(form)
    return form


def _room_for_a_citizenship(form: EditForm) -> None:
    """An empty country field after the citizenships recorded, while there is room."""
    entries = form.citizenship.entries
    if all(entry.data for entry in entries) and len(entries) < MAX_CITIZENSHIPS:
        form.citizenship.append_entry()
        label_citizenships(form)


def _stamp(form: EditForm, case: Case, content: CaseInput) -> None:
    form.version.data = str(case.version)
    form.base.data = changes.encode_base(case, content.snapshot())


@bp.route("/<uuid:case_id>/edit", methods=["GET", "POST"])
@permission(Action.EDIT_CASE)
def edit_case(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.EDIT_CASE)
    ensure_may_change(case, Change.EDIT_DETAILS)
    if request.method == "GET":
        operations.record_case_read(signed_in_user(), case, "edit")
        return render_template("cases/edit.html", case=case, form=_edit_form_for(case))
    form = EditForm()
    if form.add_row(request.form.get("add_row")):
        return render_template("cases/edit.html", case=case, form=form)
    if form.validate():
        try:
            changed = operations.update_case(
                signed_in_user(), case, form.data, base_version=form.loaded_version()
            )
        except operations.EditConflict:
            return _conflict(case_id, form)
        except operations.CaseInputError as error:
            show_operation_error(form, error)
        else:
            if changed:
                flash(_("The case has been saved."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for("cases.view_case", case_id=case.id))
    operations.record_case_read(signed_in_user(), case, "edit", durable=True)
    return render_template("cases/edit.html", case=case, form=form), INVALID


def _conflict(case_id: uuid.UUID, submitted: EditForm) -> Page:
    """Someone saved the case after this form was loaded. Keep what the user typed, take
    over what only the other person changed, show the saved value of every field that
    differs, and let the user save again on top of the current version."""
    case = load_or_404(Case, case_id, Action.EDIT_CASE)  # reloaded: the current version
    current = CaseInput.from_case(case)
    mine = CaseInput.from_data(submitted.data)
    current_values, mine_values = current.snapshot(), mine.snapshot()
    theirs_only, both = changes.compare(
        case, changes.decode_base(submitted.base.data), current_values, mine_values
    )
    merged = mine.form_data()
    current_data = current.form_data()
    for name in theirs_only:
        merged[name] = current_data[name]
    form = EditForm(formdata=None, data=merged)
    _stamp(form, case, current)
    form.documents.append_entry()
    form.events.append_entry()
    _room_for_a_citizenship(form)
    found = [
        changes.FieldChange(name, str(form[name].label.text), describe(current, name), name in both)
        for name in [*both, *theirs_only]
    ]
    operations.record_case_read(signed_in_user(), case, "edit", durable=True)
    return render_template("cases/edit.html", case=case, form=form, conflict=found), CONFLICT
