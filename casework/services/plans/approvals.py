"""Approvals of a support plan: its assessment and the case plan, by a supervisor of the
owning agency who did not request them (four eyes: the policy's DECIDE_PLAN_APPROVAL,
decision 0094). A change to what an approval is about supersedes it, pending or approved: the
plan shows it needs a new approval (decision 0096). Audited (ids and codes), on the case
timeline, flushed, never committed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from casework import audit
from casework.auth.models import User
from casework.cases.guard import Change, ensure_may_change
from casework.cases.models import Case
from casework.cases.timeline import add_entry
from casework.core.conditional import update_if
from casework.core.db import utcnow
from casework.core.errors import OperationError
from casework.core.extensions import db
from casework.domain import (
    PLAN_APPROVAL_TRANSITIONS,
    PlanApprovalEvent,
    PlanApprovalKind,
    PlanApprovalStatus,
)
from casework.notifications.operations import agency_users, link_to, notify
from casework.policy import Action, Role, require
from casework.services.models import SupportPlan
from casework.services.plans.models import PlanApproval

REASON_MAX = 2000


class ApprovalError(OperationError):
    """An approval that cannot be requested or decided (with the message for the person)."""


def latest_approvals(plan: SupportPlan | None) -> dict[str, PlanApproval]:
    """The latest request of each kind for `plan` (what the plan shows as its state)."""
    if plan is None:
        return {}
    rows = db.session.execute(
        select(PlanApproval)
        .where(PlanApproval.plan_id == plan.id)
        .order_by(PlanApproval.requested_at)
    ).scalars()
    return {row.kind: row for row in rows}


def supersede_approvals(actor: Any, plan: SupportPlan, kinds: Iterable[PlanApprovalKind]) -> int:
    """What `kinds` approve changed: their pending or approved requests are superseded (the
    plan needs a new approval). How many."""
    wanted = sorted(str(kind) for kind in kinds)
    sources = sorted(PLAN_APPROVAL_TRANSITIONS.sources(PlanApprovalEvent.SUPERSEDE))
    rows = db.session.execute(
        select(PlanApproval).where(
            PlanApproval.plan_id == plan.id,
            PlanApproval.kind.in_(wanted),
            PlanApproval.status.in_(sources),
        )
    ).scalars()
    count = 0
    for approval in list(rows):
        target = PLAN_APPROVAL_TRANSITIONS.transition(approval.status, PlanApprovalEvent.SUPERSEDE)
        if not update_if(approval, PlanApproval.status.in_(sources), status=target.value):
            continue
        count += 1
        audit.record("plan_approval.superseded", actor=actor, target=approval, detail=approval.kind)
        add_entry(
            approval.case,
            "plan_approval.superseded",
            actor=actor,
            detail=approval.kind,
            target=approval,
        )
    return count


def request_plan_approval(actor: User, case: Case, *, kind: Any) -> PlanApproval:
    """Ask the owning agency's supervisors to approve the plan's assessment or the case plan."""
    require(actor, Action.REQUEST_PLAN_APPROVAL, case)
    ensure_may_change(case, Change.EDIT_SUPPORT_PLAN, ApprovalError)
    try:
        wanted = PlanApprovalKind(str(kind or ""))
    except ValueError:
        raise ApprovalError(_("Not a valid choice."), "kind") from None
    plan = db.session.execute(
        select(SupportPlan).where(SupportPlan.case_id == case.id)
    ).scalar_one_or_none()
    if plan is None:
        raise ApprovalError(_("Write the support plan first."))
    if wanted == PlanApprovalKind.ASSESSMENT and not plan.assessment:
        raise ApprovalError(_("Write the assessment of needs first."))
    current = latest_approvals(plan).get(wanted.value)
    if current is not None and current.status == PlanApprovalStatus.PENDING:
        raise ApprovalError(_("This already waits for a supervisor's approval."))
    if current is not None and current.status == PlanApprovalStatus.APPROVED:
        raise ApprovalError(_("This is approved, and has not changed since."))
    approval = PlanApproval(
        case_id=case.id,
        case=case,
        plan_id=plan.id,
        plan=plan,
        kind=wanted.value,
        status=PlanApprovalStatus.PENDING.value,
        requested_by_id=actor.id,
        requested_at=utcnow(),
    )
    db.session.add(approval)
    db.session.flush()
    audit.record("plan_approval.requested", actor=actor, target=approval, detail=wanted.value)
    add_entry(case, "plan_approval.requested", actor=actor, detail=wanted.value, target=approval)
    deciders = [u for u in agency_users(case.agency_id, [Role.SUPERVISOR]) if u.id != actor.id]
    notify(
        deciders,
        "plan_approval_requested",
        case=case,
        link=link_to("services.decide_plan_approval", case_id=case.id, approval_id=approval.id),
    )
    db.session.flush()
    return approval


def decide_plan_approval(
    actor: User, approval: PlanApproval, *, approve: bool, reason: Any = None
) -> PlanApproval:
    """Approve, or decline with a reason (kept encrypted), a request someone else made."""
    require(actor, Action.DECIDE_PLAN_APPROVAL, approval)
    ensure_may_change(approval.case, Change.EDIT_SUPPORT_PLAN, ApprovalError)
    event = PlanApprovalEvent.APPROVE if approve else PlanApprovalEvent.DECLINE
    text = str(reason or "").strip()
    if not approve and not text:
        raise ApprovalError(_("Say why you decline."), "reason")
    if len(text) > REASON_MAX:
        raise ApprovalError(_("Enter at most %(n)d characters.", n=REASON_MAX), "reason")
    if not approval.allows(event):
        raise ApprovalError(_("This request was already answered, or the plan changed since."))
    target = PLAN_APPROVAL_TRANSITIONS.transition(approval.status, event)
    sources = sorted(PLAN_APPROVAL_TRANSITIONS.sources(event))
    if not update_if(
        approval,
        PlanApproval.status.in_(sources),
        status=target.value,
        decided_by_id=actor.id,
        decided_at=utcnow(),
    ):
        raise ApprovalError(_("This request was already answered, or the plan changed since."))
    if not approve:
        approval.decline_reason = text
    code = f"plan_approval.{target.value}"
    audit.record(code, actor=actor, target=approval, detail=approval.kind)
    add_entry(approval.case, code, actor=actor, detail=approval.kind, target=approval)
    notify(
        [approval.requested_by],
        "plan_approval_decided",
        case=approval.case,
        link=link_to("cases.view_case", case_id=approval.case_id),
    )
    db.session.flush()
    return approval
