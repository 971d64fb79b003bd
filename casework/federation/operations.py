"""The peers directory: add a peer after the fingerprint ceremony, change what it may send,
suspend, resume, remove, follow its key rotation. Every change is audited (ids and codes
only). `actor` is the administrator, or None for an operator at the command line (who holds
the machine, and the keys, already). Operations flush and never commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from casework import audit
from casework.auth.models import User
from casework.core.db import utcnow
from casework.core.errors import OperationError
from casework.core.extensions import db
from casework.crypto.identity import IdentityError, parse_fingerprint, read_identity_document
from casework.domain import PEER_TRANSITIONS, PeerCapability, PeerEvent, PeerStatus
from casework.federation import client
from casework.federation.identity import local_keys
from casework.federation.models import Peer
from casework.policy import Action, require

NAME_MAX = 120


class PeerError(OperationError):
    """A change to the peers directory was refused (the message says why)."""


def add_peer(
    actor: User | None,
    *,
    address: str,
    fingerprint: str,
    capabilities: Iterable[str],
    document: Mapping[str, Any] | None = None,
) -> Peer:
    """Fetch the identity document at `address` (or take `document`), check that its active
    signing key has the fingerprint the administrators compared aloud, and trust it."""
    _require(actor)
    try:
        address = client.check_address(address)
    except ValueError:
        raise PeerError(
            _("Enter the installation's address, starting with https://."), "address"
        ) from None
    try:
        expected = parse_fingerprint(fingerprint)
    except ValueError:
        raise PeerError(
            _("These are not the 12 words of a fingerprint: check each word with the other side."),
            "fingerprint",
        ) from None
    codes = _capabilities(capabilities)
    if document is None:
        try:
            document = client.fetch_identity(address)
        except client.PeerUnreachable:
            raise PeerError(
                _("The installation at this address did not answer with its identity."),
                "address",
            ) from None
    try:
        body, keys = read_identity_document(document, expected_fingerprint=expected)
    except IdentityError:
        audit.record(
            "federation.peer_refused",
            actor=actor,
            outcome="refused",
            detail="fingerprint",
            durable=True,
        )
        raise PeerError(
            _(
                "The fingerprint does not match the installation's key. Do not add it: "
                "compare the words again with its administrator, by another channel."
            ),
            "fingerprint",
        ) from None
    if keys.fingerprint == local_keys().fingerprint:
        raise PeerError(_("This is this installation's own fingerprint."), "fingerprint")
    if _current_peer(address=address) or _current_peer(fingerprint=keys.fingerprint.hex()):
        raise PeerError(_("This installation is already in the directory."), "address")
    peer = Peer(
        name=str(body.get("name") or address)[:NAME_MAX],
        address=address,
        status=PeerStatus.ACTIVE,
        fingerprint=keys.fingerprint.hex(),
        public_keys=keys.to_json(),
        capabilities=codes,
        added_by_id=getattr(actor, "id", None),
        keys_updated_at=utcnow(),
    )
    db.session.add(peer)
    db.session.flush()
    audit.record("federation.peer_added", actor=actor, target=peer, detail=",".join(codes))
    return peer


def set_peer_capabilities(actor: User | None, peer: Peer, capabilities: Iterable[str]) -> bool:
    _require(actor)
    codes = _capabilities(capabilities)
    if peer.status == PeerStatus.REMOVED:
        raise PeerError(_("A removed installation cannot be changed."))
    if codes == sorted(peer.capabilities):
        return False
    peer.capabilities = codes
    db.session.flush()
    audit.record(
        "federation.peer_capabilities_changed", actor=actor, target=peer, detail=",".join(codes)
    )
    return True


def suspend_peer(actor: User | None, peer: Peer) -> None:
    _move(actor, peer, PeerEvent.SUSPEND, "federation.peer_suspended")


def resume_peer(actor: User | None, peer: Peer) -> None:
    _move(actor, peer, PeerEvent.RESUME, "federation.peer_resumed")


def remove_peer(actor: User | None, peer: Peer) -> None:
    """For good: nothing from it is accepted again; re-adding it is a new ceremony."""
    _move(actor, peer, PeerEvent.REMOVE, "federation.peer_removed")


def update_peer_keys(
    actor: User | None, peer: Peer, document: Mapping[str, Any] | None = None
) -> bool:
    """Follow a peer's key rotation: its new identity document must be signed by a key we
    already trust for it. True when its keys changed."""
    if actor is not None:
        _require(actor)
    if peer.status == PeerStatus.REMOVED:
        raise PeerError(_("A removed installation cannot be changed."))
    if document is None:
        try:
            document = client.fetch_identity(peer.address)
        except client.PeerUnreachable:
            raise PeerError(_("The installation did not answer with its identity.")) from None
    try:
        keys = read_identity_document(document, trusted=peer.keys)[1]
    except IdentityError:
        audit.record(
            "federation.peer_keys_refused",
            actor=actor,
            target=peer,
            outcome="refused",
            detail="untrusted",
            durable=True,
        )
        raise PeerError(
            _("Its new keys are not signed by a key we trust: add it again after a ceremony.")
        ) from None
    old = peer.keys
    if keys.signing == old.signing and keys.encryption == old.encryption:
        return False
    peer.public_keys = keys.to_json()
    peer.fingerprint = keys.fingerprint.hex()
    peer.keys_updated_at = utcnow()
    db.session.flush()
    audit.record("federation.peer_keys_updated", actor=actor, target=peer)
    return True


def find_peer(reference: str) -> Peer | None:
    """A peer by id, address or the start of its fingerprint (command line)."""
    rows = db.session.execute(select(Peer).order_by(Peer.created_at)).scalars().all()
    ref = reference.strip().rstrip("/").lower().replace(" ", "")
    for peer in rows:
        if ref in (str(peer.id), peer.address.lower()) or (
            len(ref) >= 8 and peer.fingerprint.startswith(ref)
        ):
            return peer
    return None


def _move(actor: User | None, peer: Peer, event: PeerEvent, action: str) -> None:
    _require(actor)
    if not PEER_TRANSITIONS.allows(peer.status, event):
        raise PeerError(_("This installation's status does not allow that."))
    peer.status = PEER_TRANSITIONS.transition(peer.status, event)
    db.session.flush()
    audit.record(action, actor=actor, target=peer)


def _current_peer(*, address: str | None = None, fingerprint: str | None = None) -> Peer | None:
    query = select(Peer).where(Peer.status != PeerStatus.REMOVED)
    if address is not None:
        query = query.where(Peer.address == address)
    if fingerprint is not None:
        query = query.where(Peer.fingerprint == fingerprint)
    return db.session.execute(query.limit(1)).scalar_one_or_none()


def _capabilities(values: Iterable[str]) -> list[str]:
    codes = sorted({str(v) for v in values})
    known = {c.value for c in PeerCapability}
    if any(code not in known for code in codes):
        raise PeerError(_("Choose what this installation may send from the list."), "capabilities")
    return codes


def _require(actor: User | None) -> None:
    if actor is not None:
        require(actor, Action.MANAGE_FEDERATION)
