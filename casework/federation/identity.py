"""This installation's federation identity: its keys (from the keyring) and its name and
address (settings)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from casework.core.errors import OperationError
from casework.crypto.identity import FederationKeys, identity_document
from casework.encryption import keys


class FederationNotReady(OperationError):
    """Federation is not set up here: no keys in the keyring, or no name or address."""


def local_keys() -> FederationKeys:
    federation = keys.keyring().federation
    if federation is None:
        raise FederationNotReady(
            "This installation has no federation keys yet: run `flask federation init`."
        )
    return federation


def local_name() -> str:
    return str(current_app.config.get("FEDERATION_NAME") or "")


def local_address() -> str:
    return str(current_app.config.get("FEDERATION_ADDRESS") or "").rstrip("/")


def is_ready() -> bool:
    return keys.keyring().federation is not None and bool(local_name() and local_address())


def local_identity_document() -> dict[str, Any]:
    if not (local_name() and local_address()):
        raise FederationNotReady("Set FEDERATION_NAME and FEDERATION_ADDRESS to take part.")
    return identity_document(local_keys(), name=local_name(), address=local_address())
