"""The daily expiry of referrals left unanswered, run by the job queue (and still by hand with
`flask referrals expire`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from casework import audit
from casework.core.extensions import db
from casework.jobs import registry
from casework.jobs.api import daily
from casework.jobs.context import JobContext
from casework.referrals.operations import expire_overdue_referrals, overdue_pending

EXPIRE = "referrals.expire"


@registry.job(
    EXPIRE,
    label=_l("Record the expiry of unanswered referrals"),
    result_labels={"referrals_expired": _l("Referrals expired")},
)
def expire_referrals(ctx: JobContext) -> dict[str, int]:
    """One transaction: an interrupted run changed nothing, and the next one does it all."""
    due = db.session.execute(
        select(func.count()).select_from(overdue_pending().subquery())
    ).scalar_one()
    ctx.set_remaining(due)
    count = expire_overdue_referrals(progress=ctx.advance)
    audit.record("referral.expiry_run", detail=str(count))
    ctx.checkpoint()
    return {"referrals_expired": count}


daily(EXPIRE)
