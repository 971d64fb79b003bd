"""Two application instances behind one address (issue 18): what one stores, the other serves.

Each instance has its own instance folder (attachment folder, session files, job broker) and
shares only what production shares between hosts: the database, the key file and the secret
key. An attachment uploaded through one instance downloads, byte for byte, through the other:
files live in the database (decision 0073), never in an instance's folder.
"""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from PIL import Image

from casework.cases.models import Attachment
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.cases.records.conftest import png_bytes, post_form
from tests.conftest import sign_in_directly


def _sharing(own_app, first: Flask) -> Flask:
    """A second instance: its own folder, the first's database, keys and secret key."""
    return own_app(
        SQLALCHEMY_DATABASE_URI=first.config["SQLALCHEMY_DATABASE_URI"],
        KEY_FILE=first.config["KEY_FILE"],
        SECRET_KEY=first.config["SECRET_KEY"],
    )


def test_an_attachment_uploaded_through_one_instance_downloads_through_the_other(
    own_app,
) -> None:
    first = own_app()
    second = _sharing(own_app, first)
    assert first.config["INSTANCE_DIR"] != second.config["INSTANCE_DIR"]
    with first.app_context():
        agency = factories.make_agency("Shelter", country="TH")
        account = factories.make_user(Role.CASEWORKER, agency)
        case = factories.make_case(agency, assigned_to=account.user)
        factories.make_consent(case, "registration")
        db.session.commit()
        case_id = case.id
        db.session.refresh(account.user)
        db.session.expunge(account.user)

    original = png_bytes(size=(64, 48))
    uploading = first.test_client()
    with first.app_context():
        sign_in_directly(uploading, account)
    response = post_form(
        uploading,
        f"/cases/{case_id}/attachments/new",
        {"kind": "identity_document", "file": (io.BytesIO(original), "scan.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.status_code
    with first.app_context():
        attachment_id = db.session.query(Attachment.id).filter_by(case_id=case_id).scalar()
    assert attachment_id is not None

    downloading = second.test_client()
    with second.app_context():
        sign_in_directly(downloading, account)
    download = downloading.get(f"/cases/{case_id}/attachments/{attachment_id}")
    assert download.status_code == 200
    # The same bytes as through the instance that stored it (images are re-encoded without
    # their metadata on upload), and the same picture as was sent.
    assert download.data == uploading.get(f"/cases/{case_id}/attachments/{attachment_id}").data
    with Image.open(io.BytesIO(download.data)) as served, Image.open(io.BytesIO(original)) as sent:
        assert served.size == sent.size
        assert served.convert("RGB").tobytes() == sent.convert("RGB").tobytes()
    # Neither instance wrote the file into its own folder.
    for application in (first, second):
        folder = Path(application.config["ATTACHMENT_DIR"])
        assert not folder.exists() or not any(folder.iterdir())
