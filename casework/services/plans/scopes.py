"""The plan steps and approvals an actor may list: the SQL twins of the policy's
VIEW_SUPPORT_PLAN and DECIDE_PLAN_APPROVAL rules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, false, select

from casework.cases.models import Case
from casework.cases.scopes import processing_restricted, visible_cases
from casework.domain import PlanApprovalStatus, ReferralStatus
from casework.policy import Action, Actor, Role, can
from casework.policy.predicates import PLAN_GROUP
from casework.referrals.models import Referral
from casework.services.plans.models import PlanApproval, PlanStep


def plan_shared_with(agency_id: Any) -> ColumnElement[bool]:
    """SQL condition on a case: an accepted referral of it to the agency shares the plan. The
    shared groups are a JSON list of fixed codes: its text holds the quoted code exactly when
    the list does (on SQLite and PostgreSQL alike)."""
    return Case.referrals.any(
        (Referral.to_agency_id == agency_id)
        & (Referral.status == ReferralStatus.ACCEPTED)
        & cast(Referral.shared_groups, String).like(f'%"{PLAN_GROUP}"%')
    )


def plan_cases(actor: Actor | None) -> Select[Any]:
    """The cases whose support plan the actor may see."""
    if actor is None or not can(actor, Action.VIEW_SUPPORT_PLAN):
        return select(Case).where(false())
    role = Role(actor.role)
    if role == Role.CASEWORKER:
        return select(Case).where(
            Case.agency_id == actor.agency_id,
            Case.assigned_to_id == actor.id,
            ~processing_restricted(),
        )
    if role == Role.SUPERVISOR:
        return select(Case).where(Case.agency_id == actor.agency_id)
    if role == Role.PARTNER:
        return visible_cases(actor).where(plan_shared_with(actor.agency_id))
    return select(Case).where(false())


def visible_plan_steps(actor: Actor | None) -> Select[Any]:
    """Steps of the plans the actor may see."""
    cases = plan_cases(actor).with_only_columns(Case.id).subquery()
    return select(PlanStep).where(PlanStep.case_id.in_(select(cases.c.id)))


def approvals_awaiting(actor: Actor | None) -> Select[Any]:
    """Pending approvals the actor may decide: a supervisor's agency's, not their own."""
    if actor is None or not can(actor, Action.DECIDE_PLAN_APPROVAL):
        return select(PlanApproval).where(false())
    return (
        select(PlanApproval)
        .join(Case, Case.id == PlanApproval.case_id)
        .where(
            Case.agency_id == actor.agency_id,
            PlanApproval.status == PlanApprovalStatus.PENDING,
            PlanApproval.requested_by_id != actor.id,
        )
    )
