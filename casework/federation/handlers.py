"""What each type of message does on arrival, and what a peer must be allowed to send it.

A feature declares a handler with `@handles(MessageType.X, capability)`; the handler gets the
peer, the verified header and the decrypted body, changes the ORM (in the receipt's
transaction, so a message applies once) and raises `MessageRefused(code)` to refuse it for
good. `hello` (a connection check an administrator sends) needs no capability and does
nothing but leave its receipt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from casework.crypto.messages import Header, MessageRefused
from casework.domain import MessageType, PeerCapability
from casework.federation.models import Peer

Handler = Callable[[Peer, Header, bytes], None]
HANDLERS: dict[str, tuple[PeerCapability | None, Handler]] = {}


def handles(type_: MessageType, capability: PeerCapability | None) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        HANDLERS[type_.value] = (capability, func)
        return func

    return register


def for_type(type_: str, peer: Peer) -> Handler:
    entry = HANDLERS.get(type_)
    if entry is None:
        raise MessageRefused("unsupported")
    capability, handler = entry
    if capability is not None and not peer.may_send(capability):
        raise MessageRefused("not-allowed")
    return handler


@handles(MessageType.HELLO, None)
def _hello(peer: Peer, header: Header, body: bytes) -> Any:
    return None
