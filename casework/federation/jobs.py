"""The daily forgetting of old receipts, run by the job queue.

A receipt is needed to answer a second delivery of the same message as a duplicate. Once the
message's expiry (FEDERATION_MESSAGE_TTL_HOURS, plus the clock tolerance) has passed, a second
delivery is refused as past its expiry anyway, and its sequence number as a replay: the
receipt has no more use, and ids of past exchanges are not kept longer than needed.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from casework import audit
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.federation.models import InboundReceipt
from casework.jobs import registry
from casework.jobs.api import daily
from casework.jobs.context import JobContext

FORGET = "federation.forget_receipts"


def forget_old_receipts() -> int:
    cfg = current_app.config
    keep = timedelta(
        hours=float(cfg["FEDERATION_MESSAGE_TTL_HOURS"]),
        seconds=2 * float(cfg["FEDERATION_CLOCK_SKEW_SECONDS"]),
    )
    result = db.session.execute(
        delete(InboundReceipt)
        .where(InboundReceipt.received_at < utcnow() - keep)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


@registry.job(
    FORGET,
    label=_l("Forget the receipts of federation messages past their expiry"),
    result_labels={"receipts_forgotten": _l("Receipts forgotten")},
)
def forget_receipts(ctx: JobContext) -> dict[str, int]:
    count = forget_old_receipts()
    audit.record("federation.receipts_forgotten", detail=str(count))
    ctx.checkpoint()
    return {"receipts_forgotten": count}


daily(FORGET)
