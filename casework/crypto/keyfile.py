"""Reading and writing key material: a JSON key file, or an environment variable.

The layout is described in `keyring`. Parsing is strict (known version, exactly one active
key, 32-byte keys, no unknown fields) and every `KeyringError` names the problem, never the
key: messages end up in logs.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import stat
from pathlib import Path
from typing import Any

from casework.crypto.errors import KeyringError
from casework.crypto.identity import FederationKeys
from casework.crypto.keyring import (
    KEY_ID,
    KEYRING_VERSION,
    KeyEntry,
    Keyring,
    check_key_length,
)

_TOP_FIELDS = frozenset(
    {
        "version",
        "active",
        "keys",
        "signing_key",
        "index_key",
        "next_index_key",
        "previous_index_key",
        "federation",
    }
)
_ENTRY_FIELDS = frozenset({"key", "created"})


def parse_keyring(text: str) -> Keyring:
    """Validate key-file JSON strictly; `KeyringError` names the first problem found."""
    document, where = _loads(text)
    if where:
        # Raised outside the except block so the decoder error (which keeps the whole
        # document, secrets included) is not attached to ours as its context.
        raise KeyringError(f"key material is not valid JSON ({where})")
    if not isinstance(document, dict):
        raise KeyringError("key material must be a JSON object")
    _reject_unknown(document, _TOP_FIELDS, "the keyring")
    version = document.get("version")
    if not isinstance(version, int | None) or isinstance(version, bool):
        raise KeyringError("keyring 'version' must be an integer; this code reads version 1")
    if version != KEYRING_VERSION:
        raise KeyringError(f"unknown keyring version {version!r}; this code reads version 1")
    active = document.get("active")
    if isinstance(active, list):
        raise KeyringError(
            f"exactly one active key is required; 'active' lists {len(active)}, name one"
        )
    if not isinstance(active, str) or not active:
        raise KeyringError("no active key: 'active' must name one key id")
    raw_keys = document.get("keys")
    if not isinstance(raw_keys, dict) or not raw_keys:
        raise KeyringError("'keys' must be a non-empty object of key id -> key entry")
    keys: dict[str, KeyEntry] = {}
    for kid, raw in raw_keys.items():
        if not KEY_ID.fullmatch(kid):
            raise KeyringError("a key id in 'keys' is not 1-32 letters, digits, '-' or '_'")
        if not isinstance(raw, dict):
            raise KeyringError(f"entry for key {kid!r} must be an object")
        if "active" in raw:
            raise KeyringError(
                f"key {kid!r} has its own 'active' flag; exactly one active key is named "
                "by the top-level 'active' field"
            )
        _reject_unknown(raw, _ENTRY_FIELDS, f"key {kid!r}")
        created = raw.get("created")
        if not isinstance(created, str):
            raise KeyringError(f"'created' of key {kid!r} is missing or not a string")
        keys[kid] = KeyEntry(_decode_key(raw.get("key"), f"key {kid!r}"), created)
    return Keyring(
        active=active,
        keys=keys,
        signing_key=_decode_key(document.get("signing_key"), "signing_key"),
        index_key=_decode_key(document.get("index_key"), "index_key"),
        next_index_key=_optional_key(document, "next_index_key"),
        previous_index_key=_optional_key(document, "previous_index_key"),
        federation=(
            FederationKeys.from_json(document["federation"]) if "federation" in document else None
        ),
    )


def load_keyring_file(path: str | os.PathLike[str], *, check_mode: bool = True) -> Keyring:
    """Read a key file. With `check_mode`, refuse one that group or others can read."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise KeyringError(f"key file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise KeyringError(f"key file {str(path)!r} cannot be read ({reason})") from None
    if check_mode and os.name == "posix" and mode & 0o077:
        raise KeyringError(
            f"key file {str(path)!r} is accessible to group or others "
            f"(mode {stat.S_IMODE(mode):04o}); chmod 600 it"
        )
    return parse_keyring(text)


def load_keyring_env(value: str) -> Keyring:
    """Read key material from an environment variable's value: JSON, or base64 of JSON."""
    value = value.strip()
    if not value:
        raise KeyringError("the key environment variable is empty")
    if value.startswith("{"):
        return parse_keyring(value)
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        decoded = None
    if decoded is None:
        raise KeyringError("the key environment variable is neither JSON nor base64 of JSON")
    return parse_keyring(decoded)


def write_keyring_file(
    path: str | os.PathLike[str], keyring: Keyring, *, overwrite: bool = False
) -> None:
    """Write `keyring` to `path` with mode 0600, atomically.

    The content goes to a new temporary file (O_CREAT|O_EXCL, 0600) in the same directory,
    is fsynced, then linked into place: `os.link` fails if `path` exists, so without
    `overwrite` an existing key file is never replaced; with it, `os.replace` swaps atomically.
    Either way a reader sees the old file or the complete new one, never a partial one.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise KeyringError(f"key file {str(path)!r} already exists; refusing to overwrite it")
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except FileNotFoundError:
        raise KeyringError(f"directory {str(path.parent)!r} does not exist") from None
    try:
        os.fchmod(fd, 0o600)  # a restrictive umask must not leave it unreadable to us
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(keyring.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise KeyringError(
                    f"key file {str(path)!r} already exists; refusing to overwrite it"
                ) from None
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _loads(text: str) -> tuple[Any, str]:
    """(document, "") or (None, where the JSON is broken)."""
    try:
        return json.loads(text), ""
    except json.JSONDecodeError as exc:
        return None, f"line {exc.lineno} column {exc.colno}: {exc.msg}"


def _reject_unknown(document: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    for name in document:
        if name not in allowed:
            # Echo a field name only if it cannot be key material that landed in the wrong place.
            shown = repr(name) if KEY_ID.fullmatch(name) else "(name not shown)"
            raise KeyringError(f"unknown field {shown} in {where}")


def _decode_key(value: object, name: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise KeyringError(f"{name} is missing or not a base64 string")
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error:
        raw = None
    if raw is None:
        raise KeyringError(f"{name} is not valid base64")
    check_key_length(raw, name)
    return raw


def _optional_key(document: dict[str, Any], name: str) -> bytes | None:
    return _decode_key(document[name], name) if name in document else None


def _fsync_dir(directory: Path) -> None:
    # The link/rename is durable only once the directory entry itself reaches the disk.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
