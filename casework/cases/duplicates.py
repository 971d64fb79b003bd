"""The duplicate check at registration, before anything is saved.

A case matches when it holds the same identity document number, or the same name and date of
birth (blind index first, then an exact comparison of the decrypted values). It looks at
every agency's cases: a match in the registering agency is shown (with a link when the user
may open it); a match elsewhere is reported only as "a possible match exists, contact the
coordinator", never whose or where. Each match is an audit event naming the matched case, so
the coordination office can follow it up; the user never learns it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import select

from casework import audit
from casework.auth.models import User
from casework.cases.models import Case, IdentityDocument, Person
from casework.cases.queries import _indexed
from casework.cases.record import CaseInput
from casework.core.extensions import db

_SALT = b"casework.duplicates-seen.v1"


@dataclass
class Duplicates:
    own: list[Case] = field(default_factory=list)  # in the registering agency
    elsewhere: int = 0  # how many in other agencies (never shown as such)
    token: str = ""  # what the user acknowledges by registering anyway

    @property
    def found(self) -> bool:
        return bool(self.own or self.elsewhere)


def _matching_case_ids(data: CaseInput) -> set[Any]:
    ids: set[Any] = set()
    for document in data.documents:
        ids |= _indexed(IdentityDocument, "number", document.number)
    if data.full_name and data.date_of_birth is not None:
        same_name = _indexed(Person, "full_name", data.full_name)
        if same_name:
            same_birth = _indexed(Person, "date_of_birth", data.date_of_birth.isoformat())
            ids |= same_name & same_birth
    return ids


def _token(case_ids: set[Any]) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    message = ",".join(sorted(str(i) for i in case_ids)).encode()
    return hmac.new(secret, _SALT + message, hashlib.sha256).hexdigest()[:32]


def find_duplicates(actor: User, data: CaseInput) -> Duplicates:
    """Possible duplicates of the case about to be registered (audited when any)."""
    ids = _matching_case_ids(data)
    if not ids:
        return Duplicates()
    cases = list(db.session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.reference)))
    result = Duplicates(token=_token({c.id for c in cases}))
    for match in cases:
        own = match.agency_id == actor.agency_id
        if own:
            result.own.append(match)
        else:
            result.elsewhere += 1
        audit.record(
            "case.possible_duplicate",
            actor=actor,
            target=match,
            detail="own_agency" if own else "other_agency",
        )
    return result


def acknowledged(duplicates: Duplicates, seen: str | None) -> bool:
    """The user chose to register anyway, having seen exactly these matches."""
    return bool(seen) and hmac.compare_digest(duplicates.token, str(seen))
