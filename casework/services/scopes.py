"""The service records an actor may read: the SQL twin of the policy's VIEW_SERVICES rule."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, or_, select

from casework.cases.models import Case
from casework.cases.scopes import processing_restricted
from casework.policy import Action, Actor, Role, can
from casework.services.models import ServiceRecord


def visible_service_records(actor: Actor | None) -> Select[Any]:
    """A caseworker: the records of their cases; a supervisor: those of their agency's cases
    and those their agency provides; a partner: those their agency provides."""
    query = select(ServiceRecord)
    if actor is None or not can(actor, Action.VIEW_SERVICES):
        return query.where(false())
    role = Role(actor.role)
    if role == Role.CASEWORKER:
        return query.join(Case, ServiceRecord.case_id == Case.id).where(
            Case.agency_id == actor.agency_id,
            Case.assigned_to_id == actor.id,
            ~processing_restricted(),
        )
    if role == Role.SUPERVISOR:
        return query.join(Case, ServiceRecord.case_id == Case.id).where(
            or_(
                Case.agency_id == actor.agency_id,
                ServiceRecord.provider_agency_id == actor.agency_id,
            )
        )
    if role == Role.PARTNER:
        return query.where(ServiceRecord.provider_agency_id == actor.agency_id)
    return query.where(false())
