"""What an administrator may list: every agency, account and audit event; nobody else any.

Every admin list starts from one of these: without the permission it has no rows, whatever
filters a view adds (the SQL twins of MANAGE_AGENCIES, MANAGE_USERS and VIEW_AUDIT).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, select

from casework.agencies.models import Agency
from casework.audit.models import AuditEvent
from casework.auth.models import User
from casework.policy import Action, Actor, can


def visible_agencies(actor: Actor | None) -> Select[Any]:
    """Agencies the actor may manage: every agency for an administrator, none otherwise."""
    query = select(Agency)
    return query if can(actor, Action.MANAGE_AGENCIES) else query.where(false())


def visible_users(actor: Actor | None) -> Select[Any]:
    """Accounts the actor may manage: every account for an administrator, none otherwise."""
    query = select(User)
    return query if can(actor, Action.MANAGE_USERS) else query.where(false())


def visible_audit_events(actor: Actor | None) -> Select[Any]:
    """Audit events the actor may read: all of them with VIEW_AUDIT, none otherwise."""
    query = select(AuditEvent)
    return query if can(actor, Action.VIEW_AUDIT) else query.where(false())
