"""The health of each peer, for the administrator's dashboard: when it last reached us, when
we last reached it, what waits for it and what was given up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from casework.core.extensions import db
from casework.domain import PeerStatus, WorkStatus
from casework.federation.models import OutboundMessage, Peer


@dataclass(frozen=True)
class PeerHealth:
    peer: Peer
    last_delivered: datetime | None
    waiting: int
    dead: int

    @property
    def healthy(self) -> bool:
        return self.peer.status == PeerStatus.ACTIVE and self.dead == 0


def peer_health() -> list[PeerHealth]:
    peers = (
        db.session.execute(
            select(Peer).where(Peer.status != PeerStatus.REMOVED).order_by(Peer.name)
        )
        .scalars()
        .all()
    )
    if not peers:
        return []
    delivered = dict(
        db.session.execute(
            select(OutboundMessage.peer_id, func.max(OutboundMessage.delivered_at)).group_by(
                OutboundMessage.peer_id
            )
        ).all()
    )
    counts = {
        (peer_id, status): int(n)
        for peer_id, status, n in db.session.execute(
            select(OutboundMessage.peer_id, OutboundMessage.status, func.count())
            .where(OutboundMessage.settled.is_(False))
            .group_by(OutboundMessage.peer_id, OutboundMessage.status)
        ).all()
    }
    return [
        PeerHealth(
            peer,
            delivered.get(peer.id),
            counts.get((peer.id, WorkStatus.QUEUED), 0)
            + counts.get((peer.id, WorkStatus.RUNNING), 0),
            counts.get((peer.id, WorkStatus.FAILED), 0),
        )
        for peer in peers
    ]
