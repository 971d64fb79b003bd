"""Attachments: real type from the content, size limit, metadata stripped, encrypted at rest,
downloaded only through the authorised view, deleted with confirmation."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import delete, func, select

from casework.audit.models import AuditEvent
from casework.cases.attachments import operations as attachments
from casework.cases.errors import RecordError
from casework.cases.models import Attachment, AttachmentChunk
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.cases.records.conftest import (
    GPS_LATITUDE,
    World,
    jpeg_with_gps,
    pdf_with_metadata,
    png_bytes,
    post_form,
    stored_files,
)


def _upload(client, world: World, data: bytes, name: str, kind: str = "identity_document"):
    return post_form(
        client,
        f"/cases/{world.case.id}/attachments/new",
        {"kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _only_attachment() -> Attachment:
    db.session.expire_all()
    return db.session.execute(select(Attachment)).scalar_one()


def _count() -> int:
    db.session.expire_all()
    return int(db.session.execute(select(func.count()).select_from(Attachment)).scalar_one())


def test_upload_is_encrypted_at_rest_and_downloads_with_safe_headers(world: World) -> None:
    client = world.as_caseworker()
    original = png_bytes()
    response = _upload(client, world, original, "ណាំ passport scan.PNG")
    assert response.status_code == 302, response.get_data(as_text=True)
    attachment = _only_attachment()
    assert attachment.content_type == "image/png"
    assert attachment.filename == "ណាំ passport scan.png"
    assert attachment.uploaded_by_id == world.caseworker.id
    assert stored_files(world.app) == [str(attachment.id)]
    assert attachment.storage_name is None, "in the database, not on disk"
    stored = b"".join(
        db.session.scalars(
            select(AttachmentChunk.data)
            .where(AttachmentChunk.attachment_id == attachment.id)
            .order_by(AttachmentChunk.seq)
        )
    )
    assert b"IHDR" not in stored
    assert b"passport" not in stored
    assert not list(Path(world.app.config["ATTACHMENT_DIR"]).glob("*"))
    row = db.session.execute(select(Attachment.filename_ct)).scalar_one()
    assert b"passport" not in row

    download = client.get(f"/cases/{world.case.id}/attachments/{attachment.id}")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "image/png"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E1%9E%8E%E1%9E%B6%E1%9F%86%20passport%20scan.png" in disposition
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    picture = Image.open(io.BytesIO(download.data))
    assert picture.size == (12, 8)
    assert picture.getpixel((3, 3)) == (0, 120, 200)


def test_exif_and_gps_are_stripped_from_photos(world: World) -> None:
    source = jpeg_with_gps()
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)[2] == GPS_LATITUDE
    client = world.as_caseworker()
    assert _upload(client, world, source, "photo.jpg").status_code == 302
    attachment = _only_attachment()
    data = client.get(f"/cases/{world.case.id}/attachments/{attachment.id}").data
    picture = Image.open(io.BytesIO(data))
    assert picture.format == "JPEG"
    assert dict(picture.getexif()) == {}
    assert picture.getexif().get_ifd(0x8825) == {}
    assert "exif" not in picture.info
    assert "icc_profile" not in picture.info
    assert b"CanaryCamera" not in data
    assert b"Exif" not in data
    assert picture.size == (20, 30), "the orientation was applied before it was dropped"


def test_pdf_metadata_and_open_actions_are_stripped(world: World) -> None:
    source = pdf_with_metadata()
    assert b"Canary Author" in source
    assert b"/OpenAction" in source
    client = world.as_caseworker()
    assert _upload(client, world, source, "statement.pdf", kind="legal").status_code == 302
    attachment = _only_attachment()
    data = client.get(f"/cases/{world.case.id}/attachments/{attachment.id}").data
    assert b"Canary Author" not in data
    assert b"Canary Title" not in data
    assert b"/OpenAction" not in data
    assert b"canary" not in data
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    assert not reader.metadata


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00\x03 a Windows program", "scan.pdf", "not accepted"),
        (b"<html><script>alert(1)</script></html>", "photo.png", "not accepted"),
        (b"PK\x03\x04 an office document", "letter.docx", "not accepted"),
        (b"%PDF-1.7 but nothing else", "statement.pdf", "damaged"),
        (b"\x89PNG\r\n\x1a\n truncated", "photo.png", "damaged"),
        (b"", "empty.pdf", "empty"),
    ],
)
def test_refused_types_store_nothing(world: World, data: bytes, name: str, message: str) -> None:
    response = _upload(world.as_caseworker(), world, data, name)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body
    assert 'id="file-error"' in body
    # The hint and the error describe the field (drafts add a "choose it again" note after them).
    assert 'aria-describedby="file-hint file-error' in body
    assert _count() == 0
    assert stored_files(world.app) == []


def test_files_over_the_limit_are_refused_with_a_clear_error(
    world: World, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "MAX_ATTACHMENT_BYTES", 2048)
    big = png_bytes(size=(400, 400), colour=(1, 2, 3)) + b"\0" * 4096
    response = _upload(world.as_caseworker(), world, big, "big.png")
    assert response.status_code == 422
    assert "larger than the limit of 2 KB. Nothing was saved" in response.get_data(as_text=True)
    assert _count() == 0
    assert stored_files(world.app) == []


def test_a_rolled_back_upload_leaves_no_file(world: World) -> None:
    attachments.add_attachment(
        world.caseworker, world.case, kind="other", filename="x.png", stream=io.BytesIO(png_bytes())
    )
    assert len(stored_files(world.app)) == 1
    db.session.rollback()
    assert stored_files(world.app) == []


def _attached(world: World) -> Attachment:
    attachment = attachments.add_attachment(
        world.caseworker, world.case, kind="legal", filename="x.png", stream=io.BytesIO(png_bytes())
    )
    db.session.commit()
    return attachment


def test_download_is_refused_outside_who_may_see_documents(world: World, login_as) -> None:
    attachment = _attached(world)
    path = f"/cases/{world.case.id}/attachments/{attachment.id}"
    assert world.as_supervisor().get(path).status_code == 200
    other_supervisor, _ = login_as(Role.SUPERVISOR, agency=world.other)
    colleague, _ = login_as(Role.CASEWORKER, agency=world.home)
    coordinator, _ = login_as(Role.COORDINATOR, agency=world.home)
    for client in (other_supervisor, colleague, coordinator):
        assert client.get(path).status_code == 404

    partner_agency = factories.make_agency("Partner Agency", country="PH")
    factories.make_referral(
        world.case, partner_agency, status="accepted", shared_groups=("trafficking_context",)
    )
    db.session.commit()
    partner, _ = login_as(Role.PARTNER, agency=partner_agency)
    assert partner.get(path).status_code == 404, "the referral does not share documents"

    documents_agency = factories.make_agency("Documents Agency", country="VN")
    factories.make_referral(
        world.case, documents_agency, status="pending", shared_groups=("documents",)
    )
    db.session.commit()
    sharer, _ = login_as(Role.PARTNER, agency=documents_agency)
    assert sharer.get(path).status_code == 404, "not yet accepted"
    world.reload().referrals[-1].status = "accepted"
    db.session.commit()
    assert sharer.get(path).status_code == 200

    other_case = factories.make_case(world.home, assigned_to=world.caseworker)
    db.session.commit()
    crossed = f"/cases/{other_case.id}/attachments/{attachment.id}"
    assert world.as_caseworker().get(crossed).status_code == 404


def test_delete_asks_first_then_destroys_row_and_file(world: World) -> None:
    attachment = _attached(world)
    client = world.as_caseworker()
    path = f"/cases/{world.case.id}/attachments/{attachment.id}/delete"
    assert client.get(path).status_code == 200
    assert _count() == 1
    assert post_form(client, path).status_code == 302
    assert _count() == 0
    assert stored_files(world.app) == []


def test_a_consents_signed_form_is_not_deleted(world: World) -> None:
    consent = world.case.consents[0]
    form = attachments.attach_consent_form(
        world.caseworker, world.case, consent, filename="f.png", stream=io.BytesIO(png_bytes())
    )
    db.session.commit()
    with pytest.raises(RecordError, match="signed form"):
        attachments.delete_attachment(world.caseworker, form)
    response = post_form(
        world.as_supervisor(), f"/cases/{world.case.id}/attachments/{form.id}/delete"
    )
    assert response.status_code == 302
    assert _count() == 1
    assert len(stored_files(world.app)) == 1


def test_sizes_read_as_people_say_them() -> None:
    assert attachments.human_size(900) == "900 B"
    assert attachments.human_size(2048) == "2 KB"
    assert attachments.human_size(10 * 1024 * 1024) == "10 MB"
    assert attachments.human_size(1536 * 1024) == "1.5 MB"


def test_display_names_lose_folders_and_control_characters() -> None:
    assert attachments.display_name("..\\..\\etc/passwd", ".pdf") == "passwd.pdf"
    assert attachments.display_name("evil\r\nname.exe.png", ".jpg") == "evilname.exe.jpg"
    assert attachments.display_name("", ".png") == "file.png"
    assert len(attachments.display_name("a" * 500 + ".pdf", ".pdf")) == 124


def test_a_tampered_or_missing_file_is_not_served(world: World, caplog) -> None:
    attachment = _attached(world)
    last = (
        db.session.execute(
            select(AttachmentChunk)
            .where(AttachmentChunk.attachment_id == attachment.id)
            .order_by(AttachmentChunk.seq.desc())
        )
        .scalars()
        .first()
    )
    assert last is not None
    data = bytearray(last.data)
    data[-20] ^= 0xFF
    last.data = bytes(data)
    db.session.commit()
    client = world.as_caseworker()
    path = f"/cases/{world.case.id}/attachments/{attachment.id}"
    response = client.get(path)
    assert response.status_code == 500
    assert "cannot be read" in response.get_data(as_text=True)
    failures = (
        db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "crypto.integrity_failure")
        )
        .scalars()
        .all()
    )
    assert [(e.target_id, e.detail) for e in failures] == [(str(attachment.id), "file")]
    db.session.execute(delete(AttachmentChunk))
    db.session.commit()
    assert client.get(path).status_code == 404
    assert "its stored content is missing" in caplog.text  # ids only, and withheld in tests
