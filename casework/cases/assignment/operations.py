"""Assignment of a case: verb_noun operations that change the ORM, write a timeline entry and
an audit event (ids only), flush, and never commit."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from casework import audit
from casework.auth.models import User
from casework.cases import signals
from casework.cases.errors import RecordError
from casework.cases.guard import Change, ensure_may_change
from casework.cases.models import Case
from casework.cases.timeline import add_entry
from casework.core.db import parse_uuid
from casework.core.extensions import db
from casework.policy import Role

ASSIGNABLE_ROLES = (Role.CASEWORKER.value, Role.SUPERVISOR.value)


def assignable_users(case: Case) -> list[User]:
    """Active caseworkers and supervisors of the case's own agency."""
    users = db.session.execute(
        select(User)
        .where(
            User.agency_id == case.agency_id,
            User.active.is_(True),
            User.role.in_(ASSIGNABLE_ROLES),
        )
        .order_by(User.name, User.email)
    ).scalars()
    return [user for user in users if user.is_active]


def assign_case(actor: User, case: Case, assignee_id: Any) -> bool:
    """Assign the case to an active caseworker or supervisor of its own agency. False when
    it was already theirs. Anyone else (another agency's user, a partner, a deactivated
    account) is refused, whatever the form sent."""
    ensure_may_change(case, Change.ASSIGN, RecordError)
    assignee_uuid = parse_uuid(assignee_id)
    assignee = db.session.get(User, assignee_uuid) if assignee_uuid else None
    if (
        assignee is None
        or assignee.agency_id != case.agency_id
        or assignee.role not in ASSIGNABLE_ROLES
        or not assignee.is_active
    ):
        raise RecordError(_("Choose a caseworker or supervisor of the agency."), "assignee")
    if case.assigned_to_id == assignee.id:
        return False
    previous_id = case.assigned_to_id
    case.assigned_to_id = assignee.id
    db.session.flush()
    add_entry(case, "case.assigned", actor=actor, target=assignee)
    audit.record("case.assigned", actor=actor, target=case, detail=f"to={assignee.id}")
    signals.case_assigned.send(case, actor=actor, assignee=assignee, previous_id=previous_id)
    return True
