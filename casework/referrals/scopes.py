"""The referrals an actor may open: the SQL twin of the policy's VIEW_REFERRAL rule."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, or_, select

from casework.cases.models import Case
from casework.cases.scopes import processing_restricted
from casework.policy import Action, Actor, Role, can
from casework.referrals.models import Referral


def visible_referrals(actor: Actor | None) -> Select[Any]:
    """A caseworker: the referrals their agency sent about their cases; a supervisor: those
    their agency sent or received; a partner: those their agency received."""
    query = select(Referral)
    if actor is None or not can(actor, Action.VIEW_REFERRAL):
        return query.where(false())
    role = Role(actor.role)
    if role == Role.CASEWORKER:
        return query.join(Case, Referral.case_id == Case.id).where(
            Referral.from_agency_id == actor.agency_id,
            Case.agency_id == actor.agency_id,
            Case.assigned_to_id == actor.id,
            ~processing_restricted(),
        )
    if role == Role.SUPERVISOR:
        agency = actor.agency_id
        return query.where(or_(Referral.from_agency_id == agency, Referral.to_agency_id == agency))
    if role == Role.PARTNER:
        return query.where(Referral.to_agency_id == actor.agency_id)
    return query.where(false())
