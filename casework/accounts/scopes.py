"""The accounts waiting for a decision the actor may take: the SQL twin of the policy's
APPROVE_ACCOUNT rule (policy/predicates.py: supervisor_approves_in_agency,
second_administrator_approves)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, false, not_, or_, select
from sqlalchemy.orm import aliased

from casework.auth.models import CASE_HANDLING_ROLES, User
from casework.policy import Action, Actor, Role, can


def _pending() -> Any:
    return or_(User.approved_at.is_(None), User.mfa_reset_requested_at.is_not(None))


def _has_other_supervisor() -> Any:
    other = aliased(User)
    return exists().where(
        other.agency_id == User.agency_id,
        other.role == Role.SUPERVISOR.value,
        other.active.is_(True),
        other.approved_at.is_not(None),
        other.id != User.id,
    )


def awaiting_decision(actor: Actor | None) -> Select[Any]:
    query = select(User).where(User.active.is_(True), _pending())
    if actor is None or not can(actor, Action.APPROVE_ACCOUNT):
        return query.where(false())
    role = Role(actor.role)
    case_role = User.role.in_(sorted(CASE_HANDLING_ROLES))
    if role == Role.SUPERVISOR:
        return query.where(
            User.agency_id == actor.agency_id,
            User.id != actor.id,
            case_role,
            _has_other_supervisor(),
        )
    if role == Role.ADMIN:
        requested_by = (
            User.approved_at.is_(None) & (User.approval_requested_by_id != actor.id)
        ) | (User.approved_at.is_not(None) & (User.mfa_reset_requested_by_id != actor.id))
        return query.where(
            User.id != actor.id,
            or_(not_(case_role), not_(_has_other_supervisor())),
            requested_by,
        )
    return query.where(false())
