"""Hashing and verification of the audit chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from casework.audit.models import AuditEvent

GENESIS = "0" * 64


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over the previous hash and every field, in a canonical JSON form."""
    payload = {
        "seq": event.seq,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "outcome": event.outcome,
        "request_id": event.request_id,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"event {self.seq}: {self.problem}"


def verify_chain(
    events: Iterable[AuditEvent], head_seq: int | None, head_hash: str | None
) -> tuple[int, ChainProblem | None]:
    """Walk events in `seq` order; return (events checked, first problem or None)."""
    expected_seq = 1
    prev = GENESIS
    checked = 0
    for event in events:
        if event.seq != expected_seq:
            if event.seq > expected_seq:
                return checked, ChainProblem(expected_seq, "missing (removed from the chain)")
            return checked, ChainProblem(event.seq, "out of order (duplicate sequence)")
        if event.prev_hash != prev:
            return checked, ChainProblem(
                event.seq, "does not follow the event before it (reordered or removed)"
            )
        if event_hash(event) != event.hash:
            return checked, ChainProblem(event.seq, "altered (its hash does not match)")
        prev = event.hash
        expected_seq += 1
        checked += 1
    last_seq = expected_seq - 1
    if (head_seq or 0) != last_seq or (head_hash or GENESIS) != prev:
        if (head_seq or 0) > last_seq:
            return checked, ChainProblem(last_seq + 1, "missing (removed from the end)")
        return checked, ChainProblem(last_seq, "chain tip does not match the recorded head")
    return checked, None
