"""The home page's queues besides the tasks (decision 0116), each from a scoped query and
shown only to the roles the policy lets act on it: a partner's incoming referrals (the most
urgent first), a supervisor's closure requests, unassigned cases and caseload per worker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, select

from casework.auth.models import User
from casework.cases.lifecycle.closure import pending_closures
from casework.cases.models import Case
from casework.cases.scopes import visible_cases
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.domain import OPEN_CASE_STATUSES, ReferralStatus
from casework.policy import Action, Role, can
from casework.referrals import expiry
from casework.referrals.models import Referral
from casework.referrals.scopes import visible_referrals
from casework.vocab import HIGH_RISKS, RISK_RANK, URGENCY_RANK

LAST = 9


def _rank(column: Any, ranks: dict[str, int]) -> Any:
    return case(ranks, value=column, else_=LAST)


def incoming_referrals(user: Any) -> Select[Any]:
    """Referrals to the user's agency awaiting an answer (not expired), the most urgent
    first, then the oldest."""
    if not can(user, Action.RESPOND_REFERRAL):
        return visible_referrals(None)
    return (
        visible_referrals(user)
        .where(
            Referral.to_agency_id == user.agency_id,
            Referral.status == ReferralStatus.PENDING,
            Referral.created_at > expiry.expiry_cutoff(utcnow()),
        )
        .order_by(_rank(Referral.urgency, URGENCY_RANK), Referral.created_at)
    )


def closure_requests(user: Any) -> Select[Any]:
    """Closure requests the user may decide, the highest risk first, then the oldest."""
    if not can(user, Action.APPROVE_CLOSURE):
        return visible_cases(None)
    return (
        pending_closures(user)
        .order_by(None)
        .order_by(_rank(Case.risk_level, RISK_RANK), Case.closure_requested_at, Case.reference)
    )


def unassigned_cases(user: Any) -> Select[Any]:
    """Open cases of the supervisor's agency that nobody is assigned to, the highest risk
    first, then the longest waiting."""
    if not can(user, Action.ASSIGN_CASE):
        return visible_cases(None)
    return (
        visible_cases(user)
        .where(
            Case.assigned_to_id.is_(None),
            Case.status.in_(sorted(OPEN_CASE_STATUSES)),
            Case.erased_at.is_(None),
        )
        .order_by(_rank(Case.risk_level, RISK_RANK), Case.created_at, Case.reference)
    )


@dataclass(frozen=True)
class Caseload:
    user_id: Any
    name: str
    open_cases: int
    high_risk: int


def caseloads(user: Any) -> list[Caseload]:
    """Open cases per caseworker and supervisor of the user's agency (a supervisor's view),
    the heaviest first: counted over the supervisor's scoped query."""
    if not can(user, Action.LIST_AGENCY_CASES):
        return []
    open_cases = (
        visible_cases(user)
        .where(Case.status.in_(sorted(OPEN_CASE_STATUSES)), Case.erased_at.is_(None))
        .subquery()
    )
    high = func.count(case((open_cases.c.risk_level.in_(sorted(HIGH_RISKS)), 1)))
    total = func.count(open_cases.c.id)
    query = (
        select(User.id, User.name, total, high)
        .outerjoin(open_cases, open_cases.c.assigned_to_id == User.id)
        .where(
            User.agency_id == user.agency_id,
            User.active.is_(True),
            User.role.in_([Role.CASEWORKER.value, Role.SUPERVISOR.value]),
        )
        .group_by(User.id, User.name)
        .order_by(total.desc(), high.desc(), User.name)
    )
    return [Caseload(*row) for row in db.session.execute(query).all()]
