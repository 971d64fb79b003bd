"""The transfers an actor may open: the SQL twin of the policy's VIEW_TRANSFER rule."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, or_, select

from casework.policy import Action, Actor, Role, can
from casework.transfers.models import CaseTransfer


def visible_transfers(actor: Actor | None) -> Select[Any]:
    """A caseworker: the transfers of their agency they proposed or whose case they had; a
    supervisor: those their agency sent or received."""
    query = select(CaseTransfer)
    if actor is None or not can(actor, Action.VIEW_TRANSFER):
        return query.where(false())
    role = Role(actor.role)
    if role == Role.CASEWORKER:
        return query.where(
            CaseTransfer.from_agency_id == actor.agency_id,
            or_(
                CaseTransfer.proposed_by_id == actor.id,
                CaseTransfer.from_assignee_id == actor.id,
            ),
        )
    if role == Role.SUPERVISOR:
        agency = actor.agency_id
        return query.where(
            or_(CaseTransfer.from_agency_id == agency, CaseTransfer.receiving_agency_id == agency)
        )
    return query.where(false())
