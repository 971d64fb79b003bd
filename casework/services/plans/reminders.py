"""Reminders of plan steps due: the daily job (on the job queue, decision 0150) tells each
step's owner, in the app and by e-mail (casework.notifications: a kind, a case reference and
a link, nothing about the person), once a step and due date: a `plan_step_reminders` row is
inserted unless present, so a second run, or two schedulers at once, tell no one twice. A
step whose due date moves is reminded again for the new date.

Which steps: still to do, due within DUE_SOON_DAYS (or overdue), on a case that lets its owner
work on it now (the case guard: closed and erased cases remind no one)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, exists, or_, select

from casework import audit
from casework.auth.models import User
from casework.cases.guard import Change, where_allowed
from casework.cases.models import Case
from casework.core.conditional import insert_unless_present
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.domain import OPEN_PLAN_STEP_STATUSES
from casework.jobs import registry
from casework.jobs.api import daily
from casework.jobs.context import JobContext
from casework.notifications.operations import agency_users, case_owners, link_to, notify
from casework.policy import Action, Role, can
from casework.services.plans.models import PlanStep, PlanStepReminder

DUE_SOON_DAYS = 3  # a step due within this many days is "due soon" (home queue, reminders)
REMIND = "plans.remind_steps_due"


def steps_to_remind(today: date) -> Select[Any]:
    """Open steps due by `today + DUE_SOON_DAYS`, not yet reminded for their due date, on a
    case that lets their owner work on them."""
    reminded = exists().where(
        PlanStepReminder.step_id == PlanStep.id, PlanStepReminder.due_on == PlanStep.due_on
    )
    owner_may_work = or_(
        and_(PlanStep.owner_agency_id == Case.agency_id, where_allowed(Change.EDIT_SUPPORT_PLAN)),
        and_(
            PlanStep.owner_agency_id != Case.agency_id,
            where_allowed(Change.WORK_ON_SHARED_STEP),
        ),
    )
    return (
        select(PlanStep)
        .join(Case, Case.id == PlanStep.case_id)
        .where(
            PlanStep.status.in_(sorted(OPEN_PLAN_STEP_STATUSES)),
            PlanStep.due_on <= today + timedelta(days=DUE_SOON_DAYS),
            owner_may_work,
            ~reminded,
        )
        .order_by(PlanStep.due_on, PlanStep.created_at)
    )


def step_owners(step: PlanStep) -> list[User]:
    """Who is told: the person named on the step, else its agency's people looking after it
    (the case's caseworker or supervisors for the owning agency; a partner agency's partners
    and supervisors); only those the policy lets work on the step."""
    named = step.owner_user
    if named is not None and named.active and named.agency_id == step.owner_agency_id:
        candidates = [named]
    elif step.owner_agency_id == step.case.agency_id:
        candidates = case_owners(step.case)
    else:
        candidates = agency_users(step.owner_agency_id, [Role.PARTNER, Role.SUPERVISOR])
    return [user for user in candidates if can(user, Action.UPDATE_PLAN_STEP, step)]


def remind_steps_due(
    today: date | None = None, progress: Callable[[int], Any] | None = None
) -> int:
    """Tell the owners of every step due soon or overdue, once a step and due date; how many
    steps were reminded (flushed, not committed)."""
    today = today or utcnow().date()
    steps = list(db.session.execute(steps_to_remind(today)).scalars())
    count = 0
    for step in steps:
        inserted = insert_unless_present(
            db.session,
            PlanStepReminder.__table__,  # type: ignore[arg-type]
            {"id": uuid.uuid4(), "step_id": step.id, "due_on": step.due_on, "sent_at": utcnow()},
        )
        if progress is not None:
            progress(1)
        if not inserted:
            continue  # another run reminded it first
        count += 1
        notify(
            step_owners(step),
            "plan_step_due",
            case=step.case,
            link=link_to("cases.view_case", case_id=step.case_id),
        )
        audit.record("plan_step.reminded", target=step, detail=step.due_on.isoformat())
    db.session.flush()
    return count


@registry.job(
    REMIND,
    label=_l("Remind the owners of plan steps due"),
    result_labels={"steps_reminded": _l("Plan steps reminded")},
)
def remind_steps(ctx: JobContext) -> dict[str, int]:
    """One transaction: an interrupted run reminded no one, and the next one does it all."""
    today = utcnow().date()
    due = len(db.session.execute(steps_to_remind(today).with_only_columns(PlanStep.id)).all())
    ctx.set_remaining(due)
    count = remind_steps_due(today, progress=ctx.advance)
    audit.record("plan_step.reminder_run", detail=str(count))
    ctx.checkpoint()
    return {"steps_reminded": count}


daily(REMIND)
