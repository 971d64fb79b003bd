"""The demo holds a transferred case and a case ready for the transfer journey (issue 14)."""

from __future__ import annotations

from sqlalchemy import select

from casework.auth.models import User
from casework.cases.models import Case
from casework.core.extensions import db
from casework.devdata.demo import load_demo
from casework.domain import TransferStatus
from casework.policy import Action, ReferralDraft, can
from casework.transfers import queries
from casework.transfers.models import CaseTransfer


def _user(email: str) -> User:
    return db.session.execute(select(User).where(User.email == email)).scalar_one()


def test_the_demo_has_a_transferred_case_and_one_ready_to_transfer(app) -> None:
    assert load_demo()
    db.session.commit()
    transfer = db.session.execute(select(CaseTransfer)).scalar_one()
    assert transfer.status == TransferStatus.ACCEPTED
    case = transfer.case
    assert case.agency.name == "Phnom Penh Reintegration Office"
    assert case.sealed_for_agency_id == transfer.from_agency_id
    worker = _user("reintegration.caseworker@demo.casework.example")
    assert case.assigned_to_id == worker.id
    assert can(worker, Action.VIEW_CASE, case)
    assert case.person.full_name
    bangkok = _user("caseworker@demo.casework.example")
    assert not can(bangkok, Action.VIEW_CASE, case)
    notes = [note.body for note in queries.own_notes(bangkok, transfer)]
    assert any("Kampong Cham" in body for body in notes)
    assert not any("border crossing" in body for body in notes)
    # the journey by hand: another Bangkok case, the consent to the office recorded
    ready = [
        c
        for c in db.session.execute(select(Case).where(Case.assigned_to_id == bangkok.id)).scalars()
        if can(bangkok, Action.SEND_TRANSFER, ReferralDraft(c, case.agency_id))
    ]
    assert len(ready) == 1
    assert not load_demo(), "running it again adds nothing"
