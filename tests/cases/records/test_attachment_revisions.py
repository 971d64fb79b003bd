"""The attachment revisions carry data both ways: going down, an attachment held only in the
database is written back to a file that the former code reads; going up again, `attachments
migrate` moves it back in. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import select
from sqlalchemy.orm import defer
from sqlalchemy.orm.attributes import set_committed_value

from casework import ROOT
from casework.cases.attachments import operations as attachments
from casework.cases.attachments.store import attachment_store
from casework.cases.models import Attachment, Case
from casework.core.extensions import db
from casework.encryption.storage import read_file, seal_file
from casework.policy import Role
from tests import factories
from tests.cases.records.conftest import png_bytes
from tests.conftest import build_app
from tests.scratch import scratch_postgres

MIGRATIONS = str(ROOT / "migrations")
CHUNKS_REVISION = "8a6d70fc99b1"  # attachment_chunks created
BEFORE = "a0cdc01b5b87"  # the revision before attachments moved into the database


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/revisions.sqlite3"
        return
    with scratch_postgres("revisions") as url:
        yield url


def _populate() -> dict[uuid.UUID, bytes]:
    agency = factories.make_agency()
    caseworker = factories.make_user(Role.CASEWORKER, agency).user
    case = factories.make_case(agency, assigned_to=caseworker)
    db.session.flush()
    small = attachments.add_attachment(
        caseworker, case, kind="legal", filename="a.png", stream=io.BytesIO(png_bytes())
    )
    content = os.urandom(600_000)
    big = Attachment(case_id=case.id, kind="other", content_type="application/pdf", size=0)
    with db.session.no_autoflush:
        big.case = case
        sealed = seal_file(big, io.BytesIO(content))
        big.wrapped_key, big.size, big.filename = sealed.wrapped_key, len(content), "b.pdf"
    db.session.add(big)
    db.session.flush()
    attachment_store().put(big.id, sealed.pieces)
    expected = {big.id: content, small.id: b"".join(attachments.open_attachment(caseworker, small))}
    db.session.commit()
    return expected


def _cases_as_before_transfers() -> list[Case]:
    """Below the transfers revision (decision 0091) `cases` has no sealing agency: a case's
    records are sealed for its own agency. The cases are loaded without the newer columns and
    given that value, so the attachments read below find their case in the session."""
    # ...nor the HTCDS columns added since (decision 0099), left unloaded.
    newer = (Case.marital_status, Case.number_of_children)
    query = select(Case).options(
        defer(Case.sealed_for_agency_id),
        defer(Case.owner_field_groups),
        *(defer(column) for column in newer),
    )
    cases = list(db.session.scalars(query))
    for case in cases:
        set_committed_value(case, "sealed_for_agency_id", case.agency_id)
        set_committed_value(case, "owner_field_groups", None)
        for column in ("marital_status", "number_of_children"):
            set_committed_value(case, column, None)
    return cases  # held by the caller: the session keeps only weak references


def test_attachments_go_down_to_files_and_back_up(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "instance").mkdir()
    app = build_app(str(tmp_path / "instance"), SQLALCHEMY_DATABASE_URI=database_url)
    folder = Path(app.config["ATTACHMENT_DIR"])
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        expected = _populate()
        assert not list(folder.glob("*"))

        flask_migrate.downgrade(directory=MIGRATIONS, revision=CHUNKS_REVISION)
        db.session.expire_all()
        held = _cases_as_before_transfers()
        for attachment in db.session.scalars(select(Attachment)):
            assert attachment.storage_name is not None
            on_disk = read_file(attachment, attachment.storage_name, attachment.wrapped_key)
            assert b"".join(on_disk) == expected[attachment.id]
        db.session.rollback()
        del held
        flask_migrate.downgrade(directory=MIGRATIONS, revision=BEFORE)
        assert len(list(folder.glob("*"))) == len(expected)

        flask_migrate.upgrade(directory=MIGRATIONS)
        db.session.expire_all()
        moved = app.test_cli_runner().invoke(args=["attachments", "migrate", "--no-progress"])
        assert moved.exit_code == 0, moved.output
        assert "Every attachment is in the database" in moved.output
        assert not list(folder.glob("*"))
        reader = factories.make_user(Role.SUPERVISOR).user
        for attachment in db.session.scalars(select(Attachment)):
            assert attachment.storage_name is None
            read = b"".join(attachments.open_attachment(reader, attachment))
            assert read == expected[attachment.id]
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
