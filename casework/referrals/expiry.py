"""When a pending referral is overdue or expired.

Expiry is evaluated where it is read, so nothing waits for a scheduled job: a pending
referral older than REFERRAL_EXPIRY_DAYS is shown, counted and filtered as expired and can
no longer be accepted or declined, from the moment it passes its deadline. The command
`flask --app wsgi referrals expire` then records the transition (status, audit event,
timeline, notification to the sender); run it daily. Reading a page never writes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app

from casework.core.db import utcnow
from casework.domain import ReferralStatus

if TYPE_CHECKING:
    from casework.referrals.models import Referral

# Days the receiver has to answer before the answer is overdue (a task on dashboards).
ANSWER_DAYS = {"emergency": 1, "urgent": 3, "routine": 7}


def expiry_days() -> int:
    return int(current_app.config["REFERRAL_EXPIRY_DAYS"])


def expires_at(referral: Referral) -> datetime:
    return referral.created_at + timedelta(days=expiry_days())


def answer_due_at(referral: Referral) -> datetime:
    days = min(ANSWER_DAYS.get(referral.urgency, ANSWER_DAYS["routine"]), expiry_days())
    return referral.created_at + timedelta(days=days)


def is_expired(referral: Referral, now: datetime | None = None) -> bool:
    """Expired, recorded or not: pending past its deadline counts."""
    if referral.status == ReferralStatus.EXPIRED:
        return True
    return referral.status == ReferralStatus.PENDING and (now or utcnow()) >= expires_at(referral)


def effective_status(referral: Referral, now: datetime | None = None) -> ReferralStatus:
    """The status as people see it: a pending referral past its deadline is expired (the
    transition the daily command will record)."""
    return ReferralStatus.EXPIRED if is_expired(referral, now) else ReferralStatus(referral.status)


def answer_overdue(referral: Referral, now: datetime | None = None) -> bool:
    now = now or utcnow()
    pending = referral.status == ReferralStatus.PENDING
    return pending and answer_due_at(referral) <= now < expires_at(referral)


def expiry_cutoff(now: datetime | None = None) -> datetime:
    """Pending referrals created at or before this moment have expired."""
    return (now or utcnow()) - timedelta(days=expiry_days())


def waited(referral: Referral, now: datetime | None = None) -> timedelta:
    """How long the referral waited for an answer (so far, when still pending)."""
    end = referral.responded_at or referral.expired_at or referral.revoked_at
    if referral.status == ReferralStatus.PENDING:
        end = min(now or utcnow(), expires_at(referral))
    return (end or now or utcnow()) - referral.created_at
