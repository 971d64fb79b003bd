"""Attachment pages: upload, download (the only way to a file), delete with confirmation."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _

from casework.cases import bp
from casework.cases.attachments import operations as attachments
from casework.cases.attachments.forms import AttachmentForm
from casework.cases.errors import RecordError
from casework.cases.guard import Change, ensure_may_change
from casework.cases.models import Attachment, Case
from casework.crypto import CryptoError
from casework.policy import Action
from casework.web.access import permission
from casework.web.forms import ConfirmForm
from casework.web.loading import load_or_404
from casework.web.views import Page, form_status, show_operation_error, signed_in_user


@bp.route("/<uuid:case_id>/attachments/new", methods=["GET", "POST"])
@permission(Action.ADD_ATTACHMENT)
def new_attachment(case_id: uuid.UUID) -> Page:
    case = load_or_404(Case, case_id, Action.ADD_ATTACHMENT)
    ensure_may_change(case, Change.ADD_ATTACHMENT)
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            attachments.add_attachment(
                signed_in_user(),
                case,
                kind=form.kind.data,
                filename=upload.filename,
                stream=upload.stream,
            )
        except RecordError as error:
            show_operation_error(form, error)
        else:
            flash(_("The file has been attached."), "success")
            return redirect(url_for("cases.view_case", case_id=case.id))
    status = form_status()
    return render_template("cases/attachments/attachment_form.html", case=case, form=form), status


def _load_attachment(case_id: uuid.UUID, attachment_id: uuid.UUID, action: Action) -> Attachment:
    case = load_or_404(Case, case_id, action)
    return load_or_404(Attachment, attachment_id, action, parent=case)


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the real one in RFC 5987 form."""
    fallback = "".join(
        ch if (ch.isascii() and ch.isalnum()) or ch in "._-" else "_" for ch in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@bp.route("/<uuid:case_id>/attachments/<uuid:attachment_id>")
@permission(Action.VIEW_ATTACHMENT)
def download_attachment(case_id: uuid.UUID, attachment_id: uuid.UUID) -> Response:
    """Always a download (never shown inline), never cached, never type-sniffed."""
    attachment = _load_attachment(case_id, attachment_id, Action.VIEW_ATTACHMENT)
    try:
        chunks = attachments.open_attachment(signed_in_user(), attachment)
    except (CryptoError, FileNotFoundError):
        abort(404)
    response = Response(stream_with_context(chunks), mimetype=attachment.content_type)
    response.headers["Content-Disposition"] = content_disposition(attachment.filename or "file")
    response.headers["Content-Length"] = str(attachment.size)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/<uuid:case_id>/attachments/<uuid:attachment_id>/delete", methods=["GET", "POST"])
@permission(Action.DELETE_ATTACHMENT)
def delete_attachment(case_id: uuid.UUID, attachment_id: uuid.UUID) -> Page:
    """GET asks for confirmation; only the POST deletes."""
    attachment = _load_attachment(case_id, attachment_id, Action.DELETE_ATTACHMENT)
    case: Case = attachment.case
    ensure_may_change(case, Change.DELETE_ATTACHMENT)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            attachments.delete_attachment(signed_in_user(), attachment)
        except RecordError as error:
            flash(str(error), "danger")
            return redirect(url_for("cases.view_case", case_id=case.id))
        flash(_("The file has been deleted."), "success")
        return redirect(url_for("cases.view_case", case_id=case.id))
    status = form_status()
    page = "cases/attachments/attachment_delete.html"
    return render_template(
        page,
        case=case,
        attachment=attachment,
        form=form,
        signs_consent=attachments.signs_consent(attachment),
    ), status
