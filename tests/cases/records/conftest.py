"""Fixtures for the case-record tests: two agencies, their staff, a case, files to upload."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from casework.agencies.models import Agency
from casework.auth.models import User
from casework.cases.models import Case
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.conftest import csrf_token, sign_in_directly


@dataclass
class World:
    app: Flask
    home: Agency  # owns the case
    other: Agency  # another agency (a partner's)
    caseworker_account: factories.Account
    supervisor_account: factories.Account
    case: Case

    @property
    def caseworker(self) -> User:
        return self.caseworker_account.user

    @property
    def supervisor(self) -> User:
        return self.supervisor_account.user

    def client(self, account: factories.Account) -> FlaskClient:
        client = self.app.test_client()
        sign_in_directly(client, account)
        return client

    def as_caseworker(self) -> FlaskClient:
        return self.client(self.caseworker_account)

    def as_supervisor(self) -> FlaskClient:
        return self.client(self.supervisor_account)

    def reload(self) -> Case:
        db.session.expire_all()
        return db.session.get(Case, self.case.id)  # type: ignore[return-value]


@pytest.fixture(autouse=True)
def _empty_attachment_dir(app: Flask) -> Iterator[None]:
    """Every test starts with no stored file (the folder is the session app's)."""
    yield
    folder = Path(app.config["ATTACHMENT_DIR"])
    if folder.exists():
        for path in folder.iterdir():
            path.unlink()


@pytest.fixture
def world(app: Flask) -> World:
    home = factories.make_agency("Home Agency", country="TH")
    other = factories.make_agency("Other Agency", country="KH")
    caseworker = factories.make_user(Role.CASEWORKER, home)
    supervisor = factories.make_user(Role.SUPERVISOR, home)
    case = factories.make_case(home, assigned_to=caseworker.user, full_name="Somsri Canary")
    factories.make_consent(case, "registration")
    db.session.commit()
    return World(app, home, other, caseworker, supervisor, case)


def post_form(
    client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kwargs: Any
) -> Any:
    """GET the form at `path` for its CSRF token, then POST `data` to it."""
    token = csrf_token(client, path)
    return client.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)


def stored_files(app: Flask) -> list[str]:
    """What is stored of attachments: the ids of those with chunks in the database, and the
    names of files on disk (none are written since decision 0073)."""
    from sqlalchemy import select

    from casework.cases.models import AttachmentChunk

    folder = Path(app.config["ATTACHMENT_DIR"])
    on_disk = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    ids = db.session.scalars(select(AttachmentChunk.attachment_id).distinct()).all()
    return sorted(str(attachment_id) for attachment_id in ids) + on_disk


def png_bytes(
    size: tuple[int, int] = (12, 8), colour: tuple[int, int, int] = (0, 120, 200)
) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


GPS_LATITUDE = (13.0, 45.0, 7.5)


def jpeg_with_gps() -> bytes:
    """A JPEG whose EXIF holds a GPS position, a camera make and an orientation."""
    image = Image.new("RGB", (30, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CanaryCamera"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90 degrees to view
    exif[0x8825] = {1: "N", 2: GPS_LATITUDE, 3: "E", 4: (100.0, 30.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def pdf_with_metadata() -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": "Canary Author", "/Title": "Canary Title"})
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('canary')"),
        }
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


Login = Callable[..., tuple[FlaskClient, factories.Account]]
