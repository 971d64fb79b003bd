"""`flask federation ...`: this installation's identity, and the directory of peers."""

from __future__ import annotations

import uuid
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from casework import audit
from casework.core.extensions import db
from casework.crypto import write_keyring_file
from casework.crypto.identity import fingerprint_hex, fingerprint_words, generate_federation_keys
from casework.domain import MessageType, PeerCapability
from casework.encryption import keys
from casework.federation import operations, outbox
from casework.federation.identity import FederationNotReady, local_address, local_keys, local_name
from casework.federation.models import OutboundMessage, Peer

federation_group = click.Group(
    "federation", help="Installations that trust each other: identity and peers."
)
CAPABILITIES = click.Choice([c.value for c in PeerCapability])


def _key_file() -> Path:
    if keys.state().env_value:
        raise click.ClickException(
            "Keys come from the CASEWORK_KEYS environment variable: change them there."
        )
    return Path(current_app.config["KEY_FILE"])


def _write(ring: object) -> None:
    write_keyring_file(_key_file(), ring, overwrite=True)  # type: ignore[arg-type]
    keys.state().forget()


@federation_group.command("init")
def init() -> None:
    """Create this installation's signing and encryption keys (in the key file)."""
    ring = keys.keyring()
    if ring.federation is not None:
        raise click.ClickException("This installation already has federation keys.")
    _write(ring.with_federation(generate_federation_keys()))
    audit.record("federation.keys_created")
    db.session.commit()
    click.echo("Federation keys created.")
    _show_identity()


@federation_group.command("identity")
def identity() -> None:
    """This installation's name, address and fingerprint (12 words to read aloud)."""
    _show_identity()


def _show_identity() -> None:
    try:
        print_ = local_keys().fingerprint
    except FederationNotReady as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Name:        {local_name() or '(FEDERATION_NAME is not set)'}")
    click.echo(f"Address:     {local_address() or '(FEDERATION_ADDRESS is not set)'}")
    click.echo(f"Fingerprint: {fingerprint_words(print_)}")
    click.echo(f"             {fingerprint_hex(print_)}")


@federation_group.command("rotate")
@click.option("--signing/--no-signing", default=False, help="Also rotate the signing key.")
def rotate(signing: bool) -> None:
    """New active encryption key (and signing key with --signing). Old keys stay, so messages
    in flight still open and peers follow: the new identity document is signed by the old
    signing key too. Retire old keys later with `flask federation retire`."""
    federation = local_keys().with_new_encryption_key()
    if signing:
        federation = federation.with_new_signing_key()
    _write(keys.keyring().with_federation(federation))
    audit.record("federation.keys_rotated", detail="signing" if signing else "encryption")
    db.session.commit()
    click.echo("Rotated. Peers pick up the new keys from this installation's identity document.")
    _show_identity()


@federation_group.command("retire")
@click.argument("key_id")
def retire(key_id: str) -> None:
    """Remove an old (not active) federation key from the key file."""
    try:
        federation = local_keys().without_key(key_id)
    except Exception as error:  # KeyringError, KeyNotFound: both name the problem only
        raise click.ClickException(str(error)) from None
    _write(keys.keyring().with_federation(federation))
    audit.record("federation.key_retired", detail=key_id)
    db.session.commit()
    click.echo(f"Key {key_id} retired.")


@federation_group.command("add")
@click.argument("address")
@click.option("--fingerprint", required=True, help="The 12 words its administrator read to you.")
@click.option("--may-send", "may_send", multiple=True, type=CAPABILITIES, help="Repeatable.")
def add(address: str, fingerprint: str, may_send: tuple[str, ...]) -> None:
    """Trust the installation at ADDRESS once its fingerprint matches the words."""
    try:
        peer = operations.add_peer(
            None, address=address, fingerprint=fingerprint, capabilities=may_send
        )
    except (operations.PeerError, FederationNotReady) as error:
        db.session.commit()  # only a refusal's audit event is pending
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Added {peer.name} ({peer.address}), id {peer.id}.")


@federation_group.command("list")
def list_peers() -> None:
    """Every installation in the directory, with its status and what it may send."""
    peers = db.session.execute(select(Peer).order_by(Peer.status, Peer.name)).scalars().all()
    if not peers:
        click.echo("No installation has been added.")
    for peer in peers:
        seen = peer.last_seen_at.isoformat(timespec="seconds") if peer.last_seen_at else "never"
        click.echo(
            f"{peer.id}  {peer.status:<9}  {peer.name}  {peer.address}  "
            f"may send: {','.join(peer.capabilities) or 'nothing'}  last message: {seen}\n"
            f"    fingerprint: {peer.fingerprint_words}"
        )


def _peer(reference: str) -> Peer:
    peer = operations.find_peer(reference)
    if peer is None:
        raise click.ClickException("No such installation in the directory.")
    return peer


@federation_group.command("suspend")
@click.argument("peer")
def suspend(peer: str) -> None:
    """Accept nothing from PEER (id, address or fingerprint) until resumed."""
    _change(operations.suspend_peer, peer, "suspended")


@federation_group.command("resume")
@click.argument("peer")
def resume(peer: str) -> None:
    """Trust a suspended PEER again."""
    _change(operations.resume_peer, peer, "trusted again")


@federation_group.command("remove")
@click.argument("peer")
@click.confirmation_option(prompt="Nothing from it will be accepted again. Remove it?")
def remove(peer: str) -> None:
    """Remove PEER for good (re-adding it takes a new fingerprint ceremony)."""
    _change(operations.remove_peer, peer, "removed")


@federation_group.command("refresh")
@click.argument("peer")
def refresh(peer: str) -> None:
    """Fetch PEER's identity document and follow a key rotation signed by a trusted key."""
    row = _peer(peer)
    try:
        changed = operations.update_peer_keys(None, row)
    except operations.PeerError as error:
        db.session.commit()  # the refusal's audit event
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo("Keys updated." if changed else "No change.")


def _change(operation: object, reference: str, done: str) -> None:
    row = _peer(reference)
    try:
        operation(None, row)  # type: ignore[operator]
    except operations.PeerError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"{row.name}: {done}.")


@federation_group.command("outbox")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
def show_outbox(limit: int) -> None:
    """Messages to other installations, newest first, with their delivery status."""
    rows = db.session.execute(
        select(OutboundMessage).order_by(OutboundMessage.created_at.desc()).limit(limit)
    ).scalars()
    shown = 0
    for row in rows:
        shown += 1
        click.echo(
            f"{row.id}  {row.created_at.isoformat(timespec='seconds')}  {row.peer.name}  "
            f"{row.type}  #{row.seq}  {outbox.delivery_status(row)}  attempts {row.attempts}"
        )
    if not shown:
        click.echo("Nothing has been sent.")


@federation_group.command("retry")
@click.argument("message_id")
def retry(message_id: str) -> None:
    """Send a dead letter (a message given up after every attempt) again."""
    try:
        row = db.session.get(OutboundMessage, uuid.UUID(message_id))
    except ValueError:
        row = None
    if row is None:
        raise click.ClickException("No such message in the outbox.")
    try:
        outbox.retry_message(None, row)
    except FederationNotReady as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Queued again: {outbox.delivery_status(row)}.")


@federation_group.command("check")
@click.argument("peer")
def check(peer: str) -> None:
    """Send PEER a connection check through the outbox, and say what became of it."""
    row = _peer(peer)
    try:
        sent = outbox.send_message(row, MessageType.HELLO, {})
    except FederationNotReady as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    db.session.refresh(sent)
    click.echo(f"Connection check {sent.id}: {outbox.delivery_status(sent)}.")
