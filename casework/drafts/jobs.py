"""The daily clean-up of drafts past `DRAFT_RETENTION_HOURS`, run by the job queue (decision
0150): each draft is deleted with its data key. (Drafts past the time are never offered
before the job runs: `scopes.own_drafts` leaves them out.)"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from casework.drafts.operations import discard_expired_drafts
from casework.jobs import registry
from casework.jobs.api import daily
from casework.jobs.context import JobContext

DISCARD_EXPIRED = "drafts.discard_expired"


@registry.job(
    DISCARD_EXPIRED,
    label=_l("Discard the drafts past their keeping time"),
    result_labels={"drafts_discarded": _l("Drafts discarded")},
)
def discard_expired(ctx: JobContext) -> dict[str, int]:
    count = discard_expired_drafts(progress=ctx.advance)
    ctx.checkpoint()
    return {"drafts_discarded": count}


daily(DISCARD_EXPIRED)
