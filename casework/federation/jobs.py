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
from sqlalchemy import delete, select

from casework import audit
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.domain import PeerStatus
from casework.federation.models import InboundReceipt, Peer
from casework.federation.operations import PeerError, update_peer_keys
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


REFRESH = "federation.refresh_peers"


@registry.job(
    REFRESH,
    label=_l("Fetch the identity of each trusted installation (follow key rotations)"),
    result_labels={
        "peers_updated": _l("Installations with new keys"),
        "peers_unreachable": _l("Installations that did not answer or could not be followed"),
    },
)
def refresh_peers(ctx: JobContext) -> dict[str, int]:
    """Messages are sealed to a peer's encryption key as we last knew it: fetching each
    peer's identity document daily follows its rotations (signed by a key we trust) before
    it retires the old key. A document no trusted key signed changes nothing (audited)."""
    peers = (
        db.session.execute(select(Peer).where(Peer.status == PeerStatus.ACTIVE).order_by(Peer.name))
        .scalars()
        .all()
    )
    ctx.set_remaining(len(peers))
    updated = failed = 0
    for peer in peers:
        try:
            updated += int(update_peer_keys(None, peer))
        except PeerError:
            failed += 1
        db.session.commit()
        ctx.advance()
    ctx.checkpoint()
    return {"peers_updated": updated, "peers_unreachable": failed}


daily(REFRESH)
