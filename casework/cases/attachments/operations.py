"""Attachments of a case: add (checked, cleaned, encrypted), read, delete.

A file is checked before anything is stored: size first, then its real type from its content,
then a metadata-free copy is made (`files.clean`). Only that copy is encrypted (a key per
file, wrapped by the case's key) and kept in the attachment store, the database (decision
0073), in the request's transaction. Its name is encrypted in the row. Deleting removes the
row, its wrapped key and its stored chunks in the same transaction. A file still on disk from
before (`storage_name`, until `flask attachments migrate` moves it) is read from there, and
removed once its deletion is committed.
"""

from __future__ import annotations

import io
import logging
import unicodedata
from collections.abc import Iterator
from typing import BinaryIO

from flask_babel import gettext as _

from casework import audit
from casework.auth.models import User
from casework.cases.attachments import file_tx
from casework.cases.attachments.files import CleanFile, FileRefused, clean
from casework.cases.attachments.store import attachment_store
from casework.cases.errors import RecordError
from casework.cases.guard import Change, ensure_may_change
from casework.cases.models import Attachment, Case, Consent
from casework.cases.timeline import add_entry
from casework.core.extensions import db
from casework.crypto import IntegrityError
from casework.encryption.fields import UnreadableRecord
from casework.encryption.storage import file_pieces, max_file_bytes, open_file, seal_file
from casework.vocab import ATTACHMENT_KINDS

log = logging.getLogger(__name__)

NAME_MAX = 120
REFUSALS = {
    "type": lambda: _("This kind of file is not accepted. Send a PDF, JPEG or PNG."),
    "damaged": lambda: _("The file is damaged or is not what its name says. Nothing was saved."),
    "encrypted": lambda: _("Password-protected PDFs cannot be checked. Send it without one."),
    "too_large_image": lambda: _("The picture has too many pixels. Send a smaller one."),
    "active": lambda: _(
        "This PDF holds scripts, actions or attached files that could not be removed. Print it "
        "to a new PDF and send that."
    ),
}


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def too_large_message() -> str:
    return str(
        _(
            "The file is larger than the limit of %(limit)s. Nothing was saved: "
            "send a smaller file.",
            limit=human_size(max_file_bytes()),
        )
    )


def display_name(raw: str | None, extension: str) -> str:
    """The name to show and download under: no folders or control characters, at most
    NAME_MAX characters, and the extension of what the file really is."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(". ")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return (stem[:NAME_MAX].strip() or _("file")) + extension


def _checked(stream: BinaryIO) -> CleanFile:
    limit = max_file_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise RecordError(too_large_message(), "file")
    if not data:
        raise RecordError(_("The file is empty."), "file")
    try:
        return clean(data)
    except FileRefused as refused:
        raise RecordError(REFUSALS[refused.reason](), "file") from None


def add_attachment(
    actor: User, case: Case, *, kind: str, filename: str | None, stream: BinaryIO
) -> Attachment:
    """Check, clean, encrypt and store an uploaded file; nothing is written if refused."""
    ensure_may_change(case, Change.ADD_ATTACHMENT, RecordError)
    if kind not in ATTACHMENT_KINDS:
        raise RecordError(_("Choose what the file is."), "kind")
    checked = _checked(stream)
    if len(checked.data) > max_file_bytes():  # the cleaned copy came out larger than the limit
        raise RecordError(too_large_message(), "file")
    attachment = Attachment(
        case_id=case.id,
        kind=kind,
        content_type=checked.content_type,
        size=len(checked.data),
        uploaded_by_id=actor.id,
    )
    with db.session.no_autoflush:  # the row is incomplete until its key is wrapped
        attachment.case = case  # its key owner: the file key is wrapped by the case's key
        sealed = seal_file(attachment, io.BytesIO(checked.data))
        attachment.wrapped_key = sealed.wrapped_key
        attachment.filename = display_name(filename, checked.extension)
    db.session.add(attachment)
    db.session.flush()  # the row first: its chunks refer to it
    attachment_store().put(attachment.id, sealed.pieces)
    add_entry(case, "attachment.added", actor=actor, detail=kind, target=attachment)
    audit.record("attachment.added", actor=actor, target=attachment, detail=kind)
    return attachment


def attach_consent_form(
    actor: User, case: Case, consent: Consent, *, filename: str | None, stream: BinaryIO
) -> Attachment:
    """Attach the signed form of a consent (an attachment of kind consent_form)."""
    ensure_may_change(case, Change.ADD_ATTACHMENT, RecordError)
    if consent.attachment_id is not None:
        raise RecordError(_("This consent already has its signed form."), "signed_form")
    try:
        attachment = add_attachment(
            actor, case, kind="consent_form", filename=filename, stream=stream
        )
    except RecordError as error:
        field = "signed_form" if error.field == "file" else error.field
        raise RecordError(str(error), field) from None
    consent.attachment_id = attachment.id
    db.session.flush()
    add_entry(case, "consent.form_attached", actor=actor, detail=consent.purpose, target=consent)
    audit.record("consent.form_attached", actor=actor, target=consent, detail=str(attachment.id))
    return attachment


def signs_consent(attachment: Attachment) -> bool:
    return any(c.attachment_id == attachment.id for c in attachment.case.consents)


def delete_attachment(actor: User, attachment: Attachment) -> None:
    """Delete an attachment (not a consent's signed form: it is the record of that consent)."""
    case = attachment.case
    ensure_may_change(case, Change.DELETE_ATTACHMENT, RecordError)
    if signs_consent(attachment):
        raise RecordError(_("This is the signed form of a consent: it stays with the consent."))
    kind, attachment_id = attachment.kind, attachment.id
    remove_content(attachment)
    case.attachments.remove(attachment)
    db.session.delete(attachment)
    db.session.flush()
    add_entry(case, "attachment.deleted", actor=actor, detail=kind, target=attachment)
    audit.record(
        "attachment.deleted", actor=actor, target=("attachments", attachment_id), detail=kind
    )


def remove_content(attachment: Attachment) -> None:
    """Delete the attachment's stored chunks in this transaction (a file still on disk from
    before the move into the database: once the transaction commits)."""
    attachment_store().delete(attachment.id)
    if attachment.storage_name is not None:
        file_tx.delete_after_commit(db.session, attachment.storage_name)


def _pieces(attachment: Attachment) -> Iterator[bytes]:
    """The attachment's stored pieces: from the database, or from its file on disk while
    `flask attachments migrate` has not moved it in. `FileNotFoundError` (logged, ids only)
    when there is neither."""
    store = attachment_store()
    if store.exists(attachment.id):
        return store.open_stream(attachment.id)
    if attachment.storage_name is None:
        raise FileNotFoundError(str(attachment.id))
    return file_pieces(attachment.storage_name)


def open_attachment(actor: User, attachment: Attachment) -> Iterator[bytes]:
    """The file's plaintext, chunk by chunk (one stored chunk fetched at a time), and an
    audit event for the read. The first chunk is decrypted before this returns, so a missing
    key or file (`CryptoError`, `FileNotFoundError`) or a tampered file (`UnreadableRecord`,
    audited) fails before any of it is sent."""
    try:
        chunks = open_file(attachment, attachment.wrapped_key, _pieces(attachment))
        first = next(chunks, b"")
    except FileNotFoundError:
        # Said in the log (ids only): a restore without the files answered 404 silently.
        log.error("attachment %s: its stored content is missing", attachment.id)
        raise
    except IntegrityError as exc:  # tampered, truncated or moved: say so, and record it
        audit.record(
            "crypto.integrity_failure",
            actor=actor,
            target=attachment,
            outcome="failure",
            detail="file",
            durable=True,
        )
        raise UnreadableRecord("attachments", attachment.id, "file") from exc
    audit.record("attachment.read", actor=actor, target=attachment, detail=attachment.kind)

    def stream() -> Iterator[bytes]:
        yield first
        yield from chunks

    return stream()
