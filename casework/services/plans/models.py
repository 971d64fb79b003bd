"""The action plan's steps, the approvals of a plan, and the reminders sent for steps due.

A step's description and an approval's decline reason are encrypted under the case's data
key (erasure clears them with the rest of the case). A reminder names a step and the due date
it was sent for: one a step and due date (the unique key makes the daily job idempotent).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.cases.models import CaseChild
from casework.core.db import Base, Timestamps, UTCDateTime, UUIDPrimaryKey
from casework.domain import (
    PLAN_APPROVAL_TRANSITIONS,
    PLAN_STEP_TRANSITIONS,
    PlanApprovalEvent,
    PlanApprovalStatus,
    PlanStepEvent,
    PlanStepStatus,
)
from casework.encryption.fields import encrypted

if TYPE_CHECKING:
    from casework.agencies.models import Agency
    from casework.auth.models import User
    from casework.cases.models import Case
    from casework.services.models import SupportPlan


class PlanStep(CaseChild, UUIDPrimaryKey, Timestamps, Base):
    """One step of a support plan's action plan (HTCDS 2.0 spl_ActionPlan, as steps)."""

    __tablename__ = "plan_steps"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("support_plans.id"), index=True)
    description = encrypted(required=True)
    owner_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    owner_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(
        String(20), default=PlanStepStatus.PLANNED.value, index=True
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()
    plan: Mapped[SupportPlan] = relationship()
    owner_agency: Mapped[Agency] = relationship()
    owner_user: Mapped[User | None] = relationship(foreign_keys=[owner_user_id])

    def allows(self, event: PlanStepEvent | str) -> bool:
        """May the step take `event` now (PLAN_STEP_TRANSITIONS)?"""
        return PLAN_STEP_TRANSITIONS.allows(self.status, event)


class PlanApproval(CaseChild, UUIDPrimaryKey, Timestamps, Base):
    """A request for a supervisor's approval of the plan's assessment or of the case plan,
    and its answer. The requester never decides it (policy: DECIDE_PLAN_APPROVAL)."""

    __tablename__ = "plan_approvals"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("support_plans.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(
        String(20), default=PlanApprovalStatus.PENDING.value, index=True
    )
    requested_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason = encrypted()

    case: Mapped[Case] = relationship()
    plan: Mapped[SupportPlan] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def allows(self, event: PlanApprovalEvent | str) -> bool:
        return PLAN_APPROVAL_TRANSITIONS.allows(self.status, event)


class PlanStepReminder(UUIDPrimaryKey, Base):
    """A reminder sent for a step due: at most one a step and due date."""

    __tablename__ = "plan_step_reminders"
    __table_args__ = (
        UniqueConstraint("step_id", "due_on", name="uq_plan_step_reminders_step_due"),
    )

    step_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan_steps.id"))
    due_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
