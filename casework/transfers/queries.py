"""What a transfer's pages list: the agencies a case may go to, incoming and sent transfers,
and what the sending agency keeps reading once the case changed hands (decision 0091)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from casework.agencies.models import Agency
from casework.auth.models import User
from casework.cases.models import Case, CaseNote, TimelineEntry
from casework.core.extensions import db
from casework.domain import TransferStatus
from casework.policy import Action, Actor, require
from casework.services.models import ServiceRecord
from casework.transfers.models import CaseTransfer
from casework.transfers.scopes import visible_transfers


def receiving_agencies(case: Case) -> list[Agency]:
    """Active agencies other than the owner, by country then name (case-handling agencies:
    those whose staff could own the case)."""
    query = select(Agency).where(Agency.active.is_(True), Agency.id != case.agency_id)
    return list(db.session.execute(query.order_by(Agency.country, Agency.name)).scalars())


def incoming(actor: Actor) -> Select[Any]:
    """Transfers waiting for the actor's agency to answer, oldest first."""
    return (
        visible_transfers(actor)
        .where(
            CaseTransfer.receiving_agency_id == actor.agency_id,
            CaseTransfer.status == TransferStatus.PENDING,
        )
        .order_by(CaseTransfer.created_at)
    )


def listed(actor: Actor) -> Select[Any]:
    """Every transfer the actor may open, newest first."""
    return visible_transfers(actor).order_by(CaseTransfer.created_at.desc())


def own_notes(actor: Actor, transfer: CaseTransfer) -> list[CaseNote]:
    """The notes written by the sending agency's staff before the case changed hands."""
    require(actor, Action.VIEW_TRANSFERRED_RECORDS, transfer)
    query = (
        select(CaseNote)
        .join(User, CaseNote.author_id == User.id)
        .where(
            CaseNote.case_id == transfer.case_id,
            User.agency_id == transfer.from_agency_id,
            CaseNote.created_at <= transfer.accepted_at,
        )
        .order_by(CaseNote.created_at)
    )
    return list(db.session.execute(query).scalars())


def own_timeline(actor: Actor, transfer: CaseTransfer) -> list[TimelineEntry]:
    """The timeline entries of the sending agency, up to and with the acceptance."""
    require(actor, Action.VIEW_TRANSFERRED_RECORDS, transfer)
    query = (
        select(TimelineEntry)
        .where(
            TimelineEntry.case_id == transfer.case_id,
            TimelineEntry.agency_id == transfer.from_agency_id,
            TimelineEntry.at <= transfer.accepted_at,
        )
        .order_by(TimelineEntry.at)
    )
    return list(db.session.execute(query).scalars())


def own_services(actor: Actor, transfer: CaseTransfer) -> list[ServiceRecord]:
    """The services the sending agency gave the person."""
    require(actor, Action.VIEW_TRANSFERRED_RECORDS, transfer)
    query = (
        select(ServiceRecord)
        .where(
            ServiceRecord.case_id == transfer.case_id,
            ServiceRecord.provider_agency_id == transfer.from_agency_id,
        )
        .order_by(ServiceRecord.created_at)
    )
    return list(db.session.execute(query).scalars())
