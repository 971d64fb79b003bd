"""The action plan's steps: added, edited, started, completed, cancelled by those the policy
allows (the owning agency's staff; a partner on the steps its agency owns while a referral
shares the plan). Adding, re-planning (description, owner, due date) or cancelling a step
changes the case plan: its approval is superseded (decision 0096); starting or completing one
is the plan being carried out, and does not. Audited (ids and codes), on the case timeline,
flushed, never committed."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from casework import audit
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.cases.guard import Change, ensure_may_change, plan_step_change
from casework.cases.models import Case
from casework.cases.timeline import add_entry
from casework.core.conditional import update_if
from casework.core.db import parse_uuid, utcnow
from casework.core.errors import OperationError
from casework.core.extensions import db
from casework.domain import (
    OPEN_PLAN_STEP_STATUSES,
    PLAN_STEP_TRANSITIONS,
    PlanApprovalKind,
    PlanStepEvent,
    PlanStepStatus,
)
from casework.policy import Action, Role, can, require
from casework.policy.predicates import PLAN_GROUP
from casework.services.models import SupportPlan
from casework.services.plans.approvals import supersede_approvals
from casework.services.plans.models import PlanStep

DESCRIPTION_MAX = 2000


class PlanStepError(OperationError):
    """A step that cannot be saved or moved (with the message for the person)."""


def plan_of(case: Case) -> SupportPlan | None:
    return db.session.execute(
        select(SupportPlan).where(SupportPlan.case_id == case.id)
    ).scalar_one_or_none()


def owner_agencies(case: Case) -> list[Agency]:
    """The agencies a step may belong to: the case's own, and those an open referral shares
    the plan with."""
    agencies = [case.agency]
    for referral in case.referrals:
        agency = referral.to_agency
        if (
            agency is not None
            and agency not in agencies
            and PLAN_GROUP in case.shared_groups_for(agency.id)
        ):
            agencies.append(agency)
    return agencies


def owner_people(agency_ids: list[uuid.UUID]) -> list[User]:
    """Active case-handling staff of those agencies (a step's owner, where known)."""
    query = select(User).where(
        User.agency_id.in_(agency_ids),
        User.active.is_(True),
        User.role.in_([r.value for r in (Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER)]),
    )
    return list(db.session.execute(query.order_by(User.name)).scalars())


def _description(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        raise PlanStepError(_("Describe the step."), "description")
    if len(text) > DESCRIPTION_MAX:
        raise PlanStepError(_("Enter at most %(n)d characters.", n=DESCRIPTION_MAX), "description")
    return text


def _due(value: Any) -> date:
    if not isinstance(value, date):
        raise PlanStepError(_("Enter the date the step is due."), "due_on")
    return value


def _owner(case: Case, agency_value: Any, person_value: Any) -> tuple[Agency, User | None]:
    agency_id = parse_uuid(str(agency_value or ""))
    agency = next((a for a in owner_agencies(case) if a.id == agency_id), None)
    if agency is None:
        raise PlanStepError(_("Not a valid choice."), "owner_agency_id")
    person_id = parse_uuid(str(person_value or "")) if person_value else None
    if person_id is None:
        return agency, None
    person = next((u for u in owner_people([agency.id]) if u.id == person_id), None)
    if person is None:
        raise PlanStepError(
            _("Choose a person of the agency that owns the step, or no one."), "owner_user_id"
        )
    return agency, person


def add_plan_step(
    actor: User,
    case: Case,
    *,
    description: Any,
    owner_agency_id: Any,
    owner_user_id: Any = None,
    due_on: Any,
) -> PlanStep:
    """A new step of the case's action plan (the plan is made when it has none yet)."""
    require(actor, Action.MANAGE_PLAN_STEPS, case)
    ensure_may_change(case, Change.EDIT_SUPPORT_PLAN, PlanStepError)
    text, due = _description(description), _due(due_on)
    agency, person = _owner(case, owner_agency_id, owner_user_id)
    plan = plan_of(case)
    if plan is None:
        plan = SupportPlan(case_id=case.id, case=case, plan_types=[], service_types=[])
        db.session.add(plan)
        db.session.flush()
        audit.record("support_plan.created", actor=actor, target=plan)
        add_entry(case, "support_plan.created", actor=actor, target=plan)
    step = PlanStep(
        case_id=case.id,
        case=case,
        plan_id=plan.id,
        plan=plan,
        owner_agency_id=agency.id,
        owner_user_id=person.id if person else None,
        due_on=due,
        status=PlanStepStatus.PLANNED.value,
        created_by_id=actor.id,
    )
    db.session.add(step)
    step.description = text
    db.session.flush()
    audit.record("plan_step.added", actor=actor, target=step, detail=f"owner={agency.id}")
    add_entry(case, "plan_step.added", actor=actor, target=step)
    supersede_approvals(actor, plan, [PlanApprovalKind.CASE_PLAN])
    db.session.flush()
    return step


def update_plan_step(
    actor: User,
    step: PlanStep,
    *,
    description: Any,
    due_on: Any,
    owner_agency_id: Any = None,
    owner_user_id: Any = None,
) -> list[str]:
    """Re-plan an open step: its description and due date; its owner too for the owning
    agency's staff (a partner keeps the step its agency owns). The names of the fields
    changed."""
    require(actor, Action.UPDATE_PLAN_STEP, step)
    case = step.case
    ensure_may_change(case, plan_step_change(actor, case), PlanStepError)
    if step.status not in OPEN_PLAN_STEP_STATUSES:
        raise PlanStepError(_("Only a step still to do can be changed."))
    values: dict[str, Any] = {"description": _description(description), "due_on": _due(due_on)}
    if can(actor, Action.MANAGE_PLAN_STEPS, case):
        agency, person = _owner(case, owner_agency_id, owner_user_id)
        values["owner_agency_id"] = agency.id
        values["owner_user_id"] = person.id if person else None
    changed = [name for name, value in values.items() if getattr(step, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(step, name, values[name])
    db.session.flush()
    detail = ",".join(changed)
    audit.record("plan_step.changed", actor=actor, target=step, detail=detail)
    add_entry(case, "plan_step.changed", actor=actor, detail=detail, target=step)
    supersede_approvals(actor, step.plan, [PlanApprovalKind.CASE_PLAN])
    db.session.flush()
    return changed


# What each event records, and whether it changes the plan (its approval superseded).
EVENT_CODES = {
    PlanStepEvent.START: "plan_step.started",
    PlanStepEvent.COMPLETE: "plan_step.completed",
    PlanStepEvent.CANCEL: "plan_step.cancelled",
    PlanStepEvent.REOPEN: "plan_step.reopened",
}
CHANGES_THE_PLAN = frozenset({PlanStepEvent.CANCEL})


def move_plan_step(actor: User, step: PlanStep, event: Any) -> PlanStep:
    """Start, complete, re-open (whoever may work on the step) or cancel (the owning agency's
    staff) a step. One request of two at once wins (a conditional update)."""
    try:
        wanted = PlanStepEvent(str(event or ""))
    except ValueError:
        raise PlanStepError(_("Not a valid choice.")) from None
    case = step.case
    if wanted == PlanStepEvent.CANCEL:
        require(actor, Action.MANAGE_PLAN_STEPS, case)
        require(actor, Action.UPDATE_PLAN_STEP, step)
        ensure_may_change(case, Change.EDIT_SUPPORT_PLAN, PlanStepError)
    else:
        require(actor, Action.UPDATE_PLAN_STEP, step)
        ensure_may_change(case, plan_step_change(actor, case), PlanStepError)
    if not step.allows(wanted):
        raise PlanStepError(_("This step cannot do that in its present state."))
    target = PLAN_STEP_TRANSITIONS.transition(step.status, wanted)
    sources = sorted(PLAN_STEP_TRANSITIONS.sources(wanted))
    finished = utcnow() if target in (PlanStepStatus.DONE, PlanStepStatus.CANCELLED) else None
    if not update_if(step, PlanStep.status.in_(sources), status=target.value, finished_at=finished):
        raise PlanStepError(_("This step cannot do that in its present state."))
    code = EVENT_CODES[wanted]
    audit.record(code, actor=actor, target=step)
    add_entry(case, code, actor=actor, target=step)
    if wanted in CHANGES_THE_PLAN:
        supersede_approvals(actor, step.plan, [PlanApprovalKind.CASE_PLAN])
    db.session.flush()
    return step
