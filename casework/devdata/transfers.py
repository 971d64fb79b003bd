"""Demo transfers of the lead agency (decision 0091): a Cambodian person's case registered in
Bangkok and transferred at return to the Phnom Penh Reintegration Office, accepted and
assigned there; and another Bangkok case of a Cambodian person, the consent to that office
recorded, ready to be transferred by hand (the journey of issue 14).

Runs after the demo cases exist. Everything goes through the real operations (consent check,
audit, timeline, notifications).
"""

from __future__ import annotations

from sqlalchemy import select

from casework.agencies.models import Agency
from casework.auth.models import User
from casework.cases.assignment.operations import assign_case
from casework.cases.models import Case, Consent
from casework.cases.operations import add_case_note
from casework.core.extensions import db
from casework.devdata.case_data import POLICE, POLICE_WORKER, REINTEGRATION
from casework.domain import NoteCategory
from casework.transfers import operations as ops
from casework.transfers.models import CaseTransfer

REINTEGRATION_WORKER = "reintegration.caseworker@demo.casework.example"
REINTEGRATION_SUPERVISOR = "reintegration.supervisor@demo.casework.example"


def _user(email: str) -> User | None:
    return db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()


def _agency(name: str) -> Agency | None:
    return db.session.execute(select(Agency).where(Agency.name == name)).scalar_one_or_none()


def load_demo_transfers() -> bool:
    """Transfer the oldest Bangkok case consented to the Reintegration Office, once; False
    when there already is a transfer (or the demo agencies or accounts are missing)."""
    police, office = _agency(POLICE), _agency(REINTEGRATION)
    worker, supervisor = _user(POLICE_WORKER), _user(REINTEGRATION_SUPERVISOR)
    receiving_worker = _user(REINTEGRATION_WORKER)
    if (
        police is None
        or office is None
        or worker is None
        or supervisor is None
        or receiving_worker is None
    ):
        return False
    if db.session.execute(select(CaseTransfer.id)).first():
        return False
    consented = (
        select(Case)
        .join(Consent, Consent.case_id == Case.id)
        .where(
            Case.agency_id == police.id,
            Case.assigned_to_id == worker.id,
            Consent.shared_with_agency_id == office.id,
            Consent.withdrawn_at.is_(None),
        )
        .order_by(Case.identified_on)
    )
    case = db.session.execute(consented).scalars().first()
    if case is None:
        return False
    add_case_note(
        worker,
        case,
        "Shelter stay ends this week. The family in Kampong Cham is ready to receive her; "
        "travel documents issued by the embassy.",
        NoteCategory.CASE_MANAGEMENT.value,
    )
    transfer = ops.propose_transfer(
        worker,
        case,
        to_agency_id=office.id,
        shared_groups=["identity_contact", "trafficking_context", "health_notes", "documents"],
        reason="Returns home to Cambodia: the Reintegration Office carries the case from here.",
    )
    ops.accept_transfer(supervisor, transfer)
    assign_case(supervisor, case, receiving_worker.id)
    add_case_note(
        receiving_worker,
        case,
        "Met at the border crossing; first family visit planned next week.",
        NoteCategory.CASE_MANAGEMENT.value,
    )
    db.session.flush()
    return True
