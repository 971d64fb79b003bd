"""A transferred case's records stay sealed for the agency that registered it (decision
0091): nothing is re-encrypted, every record (an attachment's chunks too) still reads after
the transfer, a key rotation and an index-key rotation; the name is found by a search in the
new agency only; erasure by the new owner shreds everything, the transfer's reason too;
`backup verify` finds nothing wrong; reports count the case in the receiving agency."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from casework.backup.verify import verify_database
from casework.cases.attachments.operations import add_attachment, open_attachment
from casework.cases.lifecycle.erasure import erase_case
from casework.cases.models import Attachment, Case
from casework.core.extensions import db
from casework.policy import Role
from casework.reports.definitions import UNITS
from casework.reports.request import AGENCY, Period, ReportRequest, Scope
from casework.transfers import operations as ops
from casework.transfers.models import CaseTransfer
from tests import factories
from tests.cases.helpers import search
from tests.conftest import build_app, sign_in_directly


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 120, 200)).save(out, "PNG")
    return out.getvalue()


PNG = _png()


@pytest.fixture
def own_app(tmp_path: Path) -> Iterator[Flask]:
    """An app with a key file of its own, so rotating it cannot disturb other tests."""
    application = build_app(str(tmp_path))
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()


def _setting(own_app: Flask) -> dict[str, object]:
    bangkok = factories.make_agency("Bangkok Shelter", country="TH")
    phnom_penh = factories.make_agency("Phnom Penh Reintegration", country="KH")
    worker = factories.make_user(Role.CASEWORKER, bangkok)
    sender = factories.make_user(Role.SUPERVISOR, bangkok)
    receiver = factories.make_user(Role.SUPERVISOR, phnom_penh)
    case = factories.make_case(
        bangkok,
        assigned_to=worker.user,
        full_name="Sokha Transferred",
        phone="+66 81 999 0000",
        documents=(("Passport", "N0MOVED1"),),
    )
    factories.make_consent(case, "sharing", agency=phnom_penh)
    attachment = add_attachment(
        worker.user, case, kind="identity_document", filename="passport.png", stream=io.BytesIO(PNG)
    )
    transfer = ops.propose_transfer(
        worker.user,
        case,
        to_agency_id=phnom_penh.id,
        shared_groups=["identity_contact", "documents"],
        reason="Secret reason of the transfer",
    )
    db.session.commit()
    return {
        "bangkok": bangkok,
        "phnom_penh": phnom_penh,
        "sender": sender,
        "receiver": receiver,
        "case_id": case.id,
        "reference": case.reference,
        "attachment_id": attachment.id,
        "transfer_id": transfer.id,
    }


def _found(app: Flask, account: factories.Account, q: str) -> list[str]:
    client = app.test_client()
    sign_in_directly(client, account)
    response = search(client, "/cases/agency", {"q": q})
    assert response.status_code == 200
    return re.findall(r">([A-Z]{2}-\d{4}-\d{6})</a>", response.get_data(as_text=True))


def _reads(case_id: object, attachment_id: object, reader: object) -> None:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert case.person.full_name == "Sokha Transferred"
    assert case.person.phone == "+66 81 999 0000"
    assert case.identity_documents[0].number == "N0MOVED1"
    attachment = db.session.get(Attachment, attachment_id)
    assert attachment.filename == "passport.png"
    assert b"".join(open_attachment(reader, attachment))[:8] == PNG[:8]


def test_a_transferred_case_reads_rotates_and_is_found_in_its_new_agency(own_app: Flask) -> None:
    world = _setting(own_app)
    transfer = db.session.get(CaseTransfer, world["transfer_id"])
    receiver = world["receiver"]
    ops.accept_transfer(receiver.user, transfer)
    db.session.commit()
    _reads(world["case_id"], world["attachment_id"], db.session.merge(receiver.user))
    case = db.session.get(Case, world["case_id"])
    assert case.sealed_for_agency_id == world["bangkok"].id
    assert case.agency_id == world["phnom_penh"].id

    for command in ("rotate", "rotate-index"):
        result = own_app.test_cli_runner().invoke(args=["keys", command, "--no-progress"])
        assert result.exit_code == 0, result.output
    _reads(world["case_id"], world["attachment_id"], db.session.merge(receiver.user))
    verified = verify_database()
    assert verified.unreadable == []
    assert verified.stale_indexes == []

    for account in (world["receiver"], world["sender"]):
        account.user = db.session.merge(account.user)
    assert _found(own_app, world["receiver"], "Sokha Transferred") == [world["reference"]]
    assert _found(own_app, world["receiver"], "+66819990000") == [world["reference"]]
    assert _found(own_app, world["sender"], "Sokha Transferred") == []


def test_erasure_by_the_new_owner_shreds_everything(own_app: Flask) -> None:
    world = _setting(own_app)
    transfer = db.session.get(CaseTransfer, world["transfer_id"])
    ops.accept_transfer(world["receiver"].user, transfer)
    case = db.session.get(Case, world["case_id"])
    case.status = "Closed"
    db.session.flush()
    assert erase_case(world["receiver"].user, case, reason="supervisor_request")
    db.session.commit()
    db.session.expire_all()
    case = db.session.get(Case, world["case_id"])
    assert case.is_shredded
    assert case.person.full_name is None
    raw = db.session.scalar(
        select(CaseTransfer.reason_ct).where(CaseTransfer.id == world["transfer_id"])
    )
    assert raw is None, "the transfer's reason is a record of the case: erased with it"
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert verify_database().unreadable == []


def _counted(agency_id: object) -> int:
    request = ReportRequest(
        "victims_by_citizenship",
        "cases",
        Scope(AGENCY, str(agency_id)),
        Period("2026-Q1"),
        "standard",
    )
    condition = UNITS["cases"].population(request)
    return int(db.session.scalar(select(func.count()).select_from(Case).where(condition)) or 0)


def test_reports_count_a_transferred_case_once_in_the_receiving_agency(own_app: Flask) -> None:
    world = _setting(own_app)
    case = db.session.get(Case, world["case_id"])
    case.trafficking_status = "ActualVictimOfTrafficking"
    factories.make_consent(case, "statistics")
    db.session.commit()
    before = (_counted(world["bangkok"].id), _counted(world["phnom_penh"].id))
    assert before[0] >= 1
    transfer = db.session.get(CaseTransfer, world["transfer_id"])
    ops.accept_transfer(world["receiver"].user, transfer)
    db.session.commit()
    after = (_counted(world["bangkok"].id), _counted(world["phnom_penh"].id))
    assert after == (before[0] - 1, before[1] + 1)
