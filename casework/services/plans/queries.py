"""What a plan's pages show, from the scoped queries: the plan, its steps, its approvals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from casework.core.extensions import db
from casework.policy import Action, can
from casework.services.models import SupportPlan
from casework.services.plans.approvals import latest_approvals
from casework.services.plans.models import PlanApproval, PlanStep
from casework.services.plans.scopes import visible_plan_steps


@dataclass(frozen=True)
class PlanView:
    plan: SupportPlan | None
    steps: list[PlanStep]
    approvals: dict[str, PlanApproval]  # kind -> the latest request


def plan_view(actor: Any, case: Any) -> PlanView | None:
    """The case's plan as `actor` may see it; None when they may not."""
    if not can(actor, Action.VIEW_SUPPORT_PLAN, case):
        return None
    plan = db.session.execute(
        select(SupportPlan).where(SupportPlan.case_id == case.id)
    ).scalar_one_or_none()
    steps = list(
        db.session.execute(
            visible_plan_steps(actor)
            .where(PlanStep.case_id == case.id)
            .order_by(PlanStep.due_on, PlanStep.created_at)
        ).scalars()
    )
    return PlanView(plan, steps, latest_approvals(plan))
