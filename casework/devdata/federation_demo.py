"""`make federation-demo`: three installations on loopback, each with its own database and
keys (Thailand, Cambodia and a regional hub), that hold the trust ceremony and exchange
connection checks. What it shows is what federation does today (issue 17, parts 1-3): keys,
fingerprints, the peers directory, signed and encrypted messages delivered once and in order.

    .venv/bin/python -m casework.devdata.federation_demo [--workdir DIR] [--keep]

Databases: SQLite files in the work folder, or PostgreSQL when FEDERATION_DEMO_TH_URL,
FEDERATION_DEMO_KH_URL, FEDERATION_DEMO_HUB_URL name (empty) databases.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from werkzeug.serving import BaseWSGIServer, make_server

from casework import create_app
from casework.core.extensions import db
from casework.crypto import generate_keyring, write_keyring_file
from casework.crypto.identity import PublicKeys, fingerprint_words, generate_federation_keys
from casework.domain import MessageType, PeerCapability
from casework.federation import operations, outbox
from casework.federation.identity import local_identity_document
from casework.federation.models import InboundReceipt, Peer

INSTALLATIONS = (
    ("th", "Thailand national installation"),
    ("kh", "Cambodia national installation"),
    ("hub", "Regional hub"),
)


@dataclass
class Running:
    code: str
    app: Flask
    server: BaseWSGIServer
    address: str


@contextmanager
def start(workdir: Path, code: str, name: str) -> Iterator[Running]:
    folder = workdir / code
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / "keys.json"
    if not key_file.exists():
        write_keyring_file(key_file, generate_keyring().with_federation(generate_federation_keys()))
    url = os.environ.get(f"FEDERATION_DEMO_{code.upper()}_URL") or f"sqlite:///{folder}/db.sqlite3"
    app = create_app(
        {
            "ENV_NAME": "development",
            "INSTANCE_DIR": str(folder),
            "KEY_FILE": str(key_file),
            "ATTACHMENT_DIR": str(folder / "attachments"),
            "SQLALCHEMY_DATABASE_URI": url,
            "REDIS_URL": None,
            "JOBS_MODE": "eager",
            "FEDERATION_NAME": name,
            "FEDERATION_ALLOW_LOOPBACK_HTTP": True,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["FEDERATION_ADDRESS"] = f"http://127.0.0.1:{server.server_port}"
    with app.app_context():
        db.create_all()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Running(code, app, server, app.config["FEDERATION_ADDRESS"])
    finally:
        server.shutdown()
        thread.join()


def fingerprint_of(node: Running) -> str:
    with node.app.app_context():
        body = local_identity_document()["body"]
    return fingerprint_words(PublicKeys.from_json(body).fingerprint)


def ceremony(a: Running, b: Running, may_send: list[str]) -> None:
    """`a`'s administrator adds `b` after `b`'s administrator read its words aloud."""
    words = fingerprint_of(b)
    with a.app.app_context():
        peer = operations.add_peer(
            None, address=b.address, fingerprint=words, capabilities=may_send
        )
        db.session.commit()
        print(f"  {a.code} trusts {peer.name} at {peer.address} (may send: {may_send or '-'})")


def check(a: Running, b: Running) -> None:
    with a.app.app_context():
        peer = db.session.execute(select(Peer).where(Peer.address == b.address)).scalar_one()
        row = outbox.send_message(peer, MessageType.HELLO, {})
        db.session.commit()
        db.session.refresh(row)
        status = outbox.delivery_status(row)
        print(f"  {a.code} -> {b.code}: connection check #{row.seq}: {status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="casework-federation-"))
    with ExitStack() as stack:
        nodes = {
            code: stack.enter_context(start(workdir, code, name)) for code, name in INSTALLATIONS
        }
        th, kh, hub = nodes["th"], nodes["kh"], nodes["hub"]
        print(f"Three installations in {workdir}:")
        for node in nodes.values():
            print(f"  {node.code}: {node.address}  fingerprint: {fingerprint_of(node)}")
        print("Trust ceremony (fingerprints read aloud, then typed by the other side):")
        ceremony(th, kh, [PeerCapability.REFERRALS, PeerCapability.TRANSFERS])
        ceremony(kh, th, [PeerCapability.REFERRALS, PeerCapability.TRANSFERS])
        ceremony(hub, th, [PeerCapability.STATISTICS])
        ceremony(hub, kh, [PeerCapability.STATISTICS])
        ceremony(th, hub, [])
        ceremony(kh, hub, [])
        print("Connection checks (signed, encrypted, delivered through each outbox):")
        for a, b in ((th, kh), (kh, th), (th, hub), (kh, hub), (th, kh)):
            check(a, b)
        with kh.app.app_context():
            received = db.session.execute(select(InboundReceipt.seq)).scalars().all()
        print(f"Cambodia received from Thailand, in order, once each: {sorted(received)}")
        print("Not shown yet (issue 17, still to build): federated referrals and transfers,")
        print("consent withdrawal across installations, statistics releases to the hub.")


if __name__ == "__main__":
    main()
