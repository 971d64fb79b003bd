"""Delivery between two installations on this machine, side by side with a bare HTTP request.

    .venv/bin/python benchmarks/federation_bench.py [--messages 200] [--rounds 5]

Two Casework installations on loopback, each with its own SQLite database and keys; each
trusts the other after the fingerprint check. Thailand writes a message (sealed: signed, body
encrypted with HPKE) to its outbox and commits; the job queue (eager mode: the delivery runs
right after the commit, as a worker would pick it up) posts it to Cambodia, which verifies,
checks order and replay, decrypts and records the receipt. Measured per message: from the
commit to the receipt's time on Cambodia; per round: messages per second. The baseline is a
bare GET of Cambodia's `/health` (the process answers and its database is reachable) over
the same loopback connection, interleaved round by round. The body is 2 KB (about a referral
without files).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from casework.core.extensions import db
from casework.crypto.identity import PublicKeys, fingerprint_words
from casework.domain import MessageType
from casework.federation import operations, outbox
from casework.federation.identity import local_identity_document
from casework.federation.models import InboundReceipt, OutboundMessage, Peer
from tests.federation.installations import installation

BODY = {"note": "x" * 2000}


def trust(a: object, b: object) -> None:
    """`a` trusts `b` (each an Installation)."""
    with b.app.app_context():  # type: ignore[attr-defined]
        document = local_identity_document()
    words = fingerprint_words(PublicKeys.from_json(document["body"]).fingerprint)
    with a.app.app_context():  # type: ignore[attr-defined]
        operations.add_peer(
            None,
            address=document["body"]["address"],
            fingerprint=words,
            capabilities=[],
            document=document,
        )
        db.session.commit()


def federation_round(th: object, kh: object, count: int) -> tuple[float, list[float]]:
    with th.app.app_context():  # type: ignore[attr-defined]
        peer = db.session.execute(select(Peer)).scalar_one()
        committed: dict[str, float] = {}
        start = time.perf_counter()
        for _ in range(count):
            row = outbox.send_message(peer, MessageType.HELLO, BODY)
            message_id = row.message_id
            committed[message_id] = time.time()
            db.session.commit()  # delivered right after the commit
        elapsed = time.perf_counter() - start
        undelivered = db.session.execute(
            select(OutboundMessage).where(OutboundMessage.settled.is_(False))
        ).first()
        assert undelivered is None, "a message was not delivered"
    with kh.app.app_context():  # type: ignore[attr-defined]
        received = dict(
            db.session.execute(
                select(InboundReceipt.message_id, InboundReceipt.received_at).where(
                    InboundReceipt.message_id.in_(list(committed))
                )
            ).all()
        )
    assert len(received) == count, "a message arrived twice or not at all"
    latencies = [received[mid].timestamp() - committed[mid] for mid in committed]
    return count / elapsed, latencies


def bare_round(kh: object, count: int) -> float:
    url = kh.address + "/health"  # type: ignore[attr-defined]
    start = time.perf_counter()
    for _ in range(count):
        with urllib.request.urlopen(url) as response:  # noqa: S310 - loopback http
            response.read()
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        installation(Path(tmp) / "th", "Thailand") as th,
        installation(Path(tmp) / "kh", "Cambodia") as kh,
    ):
        for app in (th.app, kh.app):
            app.config["JOBS_MODE"] = "eager"
        trust(th, kh)
        trust(kh, th)
        federation_round(th, kh, 10)  # warm up
        rates, bare, latencies = [], [], []
        for _ in range(args.rounds):
            rate, lat = federation_round(th, kh, args.messages)
            rates.append(rate)
            latencies.extend(lat)
            bare.append(bare_round(kh, args.messages))
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p95 = latencies[int(len(latencies) * 0.95)] * 1000
    fed, base = statistics.median(rates), statistics.median(bare)
    print(f"messages: {args.messages} x {args.rounds} rounds")
    print(
        f"federation: {fed:.0f} messages/s (median of rounds); "
        f"commit to receipt p50 {p50:.1f} ms, p95 {p95:.1f} ms"
    )
    print(f"bare GET /health: {base:.0f} requests/s")
    print(f"ratio (bare / federation, time per item): {base / fed:.1f}x")


if __name__ == "__main__":
    main()
