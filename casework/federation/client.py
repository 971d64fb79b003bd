"""Talking to peers over HTTPS (plain HTTP only to loopback, when the settings allow it for
tests and demos). Standard library only: the bodies are signed JSON, and the message
signature, not the transport, authenticates the sender (decision 0170)."""

from __future__ import annotations

import ipaddress
import json
import ssl
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from casework.core.errors import OperationError

IDENTITY_PATH = "/federation/identity"
MAX_DOCUMENT_BYTES = 64 * 1024


class PeerUnreachable(OperationError):
    """The peer did not answer, or answered something that is not what we asked for."""


def check_address(address: str) -> str:
    """The address without a trailing slash; ValueError unless https:// (or http:// to a
    loopback host when allowed)."""
    address = address.strip().rstrip("/")
    parts = urlsplit(address)
    if not parts.hostname or parts.query or parts.fragment or parts.username:
        raise ValueError("not an installation address")
    if parts.scheme == "https":
        return address
    loopback = parts.hostname == "localhost" or _is_loopback(parts.hostname)
    if parts.scheme == "http" and loopback and current_app.config["FEDERATION_ALLOW_LOOPBACK_HTTP"]:
        return address
    raise ValueError("an installation is reached over https://")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def get_json(address: str, path: str) -> dict[str, Any]:
    # check_address allows https (or http to loopback) only: never file: or another scheme.
    url = check_address(address) + path
    return _request(urllib.request.Request(url, method="GET"))  # noqa: S310


def post_json(address: str, path: str, body: bytes) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - https or loopback http only (check_address)
        check_address(address) + path,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    return _request(request)


def fetch_identity(address: str) -> dict[str, Any]:
    return get_json(address, IDENTITY_PATH)


def _request(request: urllib.request.Request) -> dict[str, Any]:
    timeout = float(current_app.config.get("FEDERATION_TIMEOUT_SECONDS", 10.0))
    context = ssl.create_default_context()
    try:
        # The scheme was checked by check_address (https, or http to loopback only).
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # noqa: S310
            raw = response.read(MAX_DOCUMENT_BYTES + 1)
    except urllib.error.HTTPError as error:
        raw = error.read(MAX_DOCUMENT_BYTES + 1)
        raise PeerUnreachable(_answer_code(raw) or f"http-{error.code}") from None
    except urllib.error.URLError as error:  # the cause's class: ConnectionRefusedError...
        raise PeerUnreachable(type(error.reason).__name__) from None
    except (OSError, ValueError) as error:
        raise PeerUnreachable(type(error).__name__) from None
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise PeerUnreachable("answer-too-large")
    try:
        document = json.loads(raw)
    except ValueError:
        raise PeerUnreachable("not-json") from None
    if not isinstance(document, dict):
        raise PeerUnreachable("not-json")
    return document


def _answer_code(raw: bytes) -> str | None:
    try:
        document = json.loads(raw)
    except ValueError:
        return None
    code = document.get("refused") if isinstance(document, dict) else None
    return str(code)[:60] if code else None
