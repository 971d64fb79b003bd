"""What changed in a case between the version an edit form was loaded at and now.

The edit form carries the case version it was loaded at and, per field, a keyed fingerprint
of the value it showed (HMAC under the app's secret key, bound to the case: the page holds
no more than the values it already shows, and fingerprints cannot be compared across cases).
When someone else saved in between, comparing three fingerprints per field tells:

* changed by someone else only: the form takes the new value (the user had not touched it);
* changed by both, differently: the user's value stays in the form, the saved one is shown;
* changed by both to the same value: nothing to resolve.

Nothing is lost: what the user typed stays in the form, what was saved is shown beside it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from flask import current_app

from casework.cases.models import Case

_SALT = b"casework.case-edit-base.v1"


def _key() -> bytes:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, _SALT, hashlib.sha256).digest()


def fingerprint(case_id: Any, field: str, value: str) -> str:
    message = f"{case_id}\x1f{field}\x1f{value}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()[:24]


def encode_base(case: Case, snapshot: dict[str, str]) -> str:
    """The hidden `base` value: `field=fingerprint` pairs."""
    return ";".join(
        f"{name}={fingerprint(case.id, name, value)}" for name, value in sorted(snapshot.items())
    )


def decode_base(text: str | None) -> dict[str, str]:
    pairs = (item.partition("=") for item in (text or "").split(";") if "=" in item)
    return {name: value for name, _, value in pairs if name and value}


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    current: str  # the saved value, as displayed
    mine_kept: bool  # True: both changed it and the form keeps the user's value


def compare(
    case: Case,
    base: dict[str, str],
    current: dict[str, str],
    mine: dict[str, str],
) -> tuple[list[str], list[str]]:
    """(fields someone else changed that the user did not, fields both changed differently).

    A field missing from `base` (a tampered or truncated form) counts as changed by both, so
    the user's value is kept and the saved one is shown.
    """
    theirs_only, both = [], []
    for name, value in current.items():
        base_print = base.get(name)
        if base_print == fingerprint(case.id, name, value):
            continue  # nobody else changed it
        if value == mine.get(name):
            continue  # both made the same change
        if base_print is not None and base_print == fingerprint(case.id, name, mine.get(name, "")):
            theirs_only.append(name)
        else:
            both.append(name)
    return theirs_only, both
