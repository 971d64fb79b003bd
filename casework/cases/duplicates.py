"""The duplicate check at registration (decision 0055).

A case matches when it holds the same identity document number, or the same name and date of
birth (blind index first, then an exact comparison of the decrypted values). A case whose
registration consent was withdrawn (and not given again) matches nothing.

The registering user learns nothing about cases they may not open, at any point:

- before saving, the check looks only at the cases the user may open (`visible_cases`), and
  shows those; every other case, in their agency or elsewhere, makes no difference at all to
  the page, the hidden values or the time it takes to save;
- when the case is saved, a match in another agency becomes a task for the supervisors of the
  agency holding the matching case (`PossibleDuplicate`, a notification), who decide whether
  to get in touch or refer; it is audited with both cases. The registering user is not told.

Checks that show matches and save nothing are throttled per user (`cases/routes.py`); a user
who reaches the limit is audited and their supervisors are alerted (`alert_probing`).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, not_, select

from casework import audit
from casework.audit.models import AuditEvent
from casework.auth.models import User
from casework.cases.models import Case, IdentityDocument, Person, PossibleDuplicate
from casework.cases.queries import _indexed
from casework.cases.record import CaseInput
from casework.cases.scopes import processing_restricted, visible_cases
from casework.core.db import utcnow
from casework.core.errors import OperationError
from casework.core.extensions import db
from casework.core.throttle import Throttle
from casework.notifications.operations import agency_users, link_to, notify
from casework.policy import Action, Role, require
from casework.vocab import Vocabulary

_SALT = b"casework.duplicates-seen.v2"
PROBING_ALERT_EVERY = timedelta(hours=1)  # at most one alert per user in this time
# Checks that showed matches and saved nothing, per user (DUPLICATE_CHECK_LIMIT).
DUPLICATE_CHECKS = Throttle("duplicate-checks", "DUPLICATE_CHECK_LIMIT")


@dataclass
class Duplicates:
    own: list[Case] = field(default_factory=list)  # cases the registering user may open
    token: str = ""  # what the user acknowledges by registering anyway

    @property
    def found(self) -> bool:
        return bool(self.own)


def _withdrawn_registration() -> Any:
    """SQL condition on a case: its registration consent was withdrawn, none stands now (the
    restriction of decision 0063, one rule: `cases.scopes.processing_restricted`)."""
    return processing_restricted()


def _matching_case_ids(data: CaseInput, visible: Any = None) -> set[Any]:
    ids: set[Any] = set()
    for document in data.documents:
        ids |= _indexed(IdentityDocument, "number", document.number, visible)
    if data.full_name and data.date_of_birth is not None:
        same_name = _indexed(Person, "full_name", data.full_name, visible)
        if same_name:
            same_birth = _indexed(Person, "date_of_birth", data.date_of_birth.isoformat(), visible)
            ids |= same_name & same_birth
    return ids


def _matching_cases(data: CaseInput, visible: Any = None) -> list[Case]:
    ids = _matching_case_ids(data, visible)
    if not ids:
        return []
    query = (
        select(Case)
        .where(Case.id.in_(ids), Case.erased_at.is_(None), not_(_withdrawn_registration()))
        .order_by(Case.reference)
    )
    return list(db.session.scalars(query))


def _token(case_ids: set[Any]) -> str:
    """Derived only from the cases shown (the user may open every one of them)."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    message = ",".join(sorted(str(i) for i in case_ids)).encode()
    return hmac.new(secret, _SALT + message, hashlib.sha256).hexdigest()[:32]


def find_duplicates(actor: User, data: CaseInput) -> Duplicates:
    """Before saving: the cases the actor may open that may be this person. Nothing about any
    other case: they are not even looked at."""
    visible = visible_cases(actor).with_only_columns(Case.id).scalar_subquery()
    cases = _matching_cases(data, visible)
    if not cases:
        return Duplicates()
    return Duplicates(own=cases, token=_token({c.id for c in cases}))


def agency_duplicates(agency_id: Any, data: CaseInput) -> list[Case]:
    """The cases of `agency_id` that may be this person (an import's dry run, decision
    0100): the same check, limited to the agency's own cases; no other is looked at."""
    own = select(Case.id).where(Case.agency_id == agency_id).scalar_subquery()
    return _matching_cases(data, own)


def acknowledged(duplicates: Duplicates, seen: str | None) -> bool:
    """The user chose to register anyway, having seen exactly these matches."""
    return bool(seen) and hmac.compare_digest(duplicates.token, str(seen))


def record_matches(actor: User | None, case: Case, data: CaseInput) -> list[PossibleDuplicate]:
    """After `case` is registered: every case of another agency that may be the same person
    becomes a task for that agency's supervisors (notified); every match is audited."""
    made = []
    for match in _matching_cases(data):
        if match.id == case.id:
            continue
        own = match.agency_id == case.agency_id
        audit.record(
            "case.possible_duplicate",
            actor=actor,
            target=match,
            detail=f"{'own_agency' if own else 'other_agency'}:{case.id}",
        )
        if own:
            continue
        found = PossibleDuplicate(
            case_id=match.id,
            registered_case_id=case.id,
            registering_agency_id=case.agency_id,
            registered_by_id=actor.id if actor is not None else None,
            found_at=utcnow(),
        )
        db.session.add(found)
        db.session.flush()
        notify(
            agency_users(match.agency_id, [Role.SUPERVISOR]),
            "possible_duplicate",
            case=match,
            link=link_to("cases.view_possible_duplicate", match_id=found.id),
        )
        made.append(found)
    return made


def alert_probing(actor: User) -> None:
    """The actor reached the limit of checks without a save: audited every time; their
    agency's supervisors are told at most once per `PROBING_ALERT_EVERY`."""
    since = utcnow() - PROBING_ALERT_EVERY
    recent = db.session.scalar(
        select(func.count()).where(
            AuditEvent.action == "case.duplicate_checks_throttled",
            AuditEvent.actor_id == actor.id,
            AuditEvent.at >= since,
        )
    )
    audit.record("case.duplicate_checks_throttled", actor=actor, outcome="throttled", durable=True)
    if recent:
        return
    supervisors = [u for u in agency_users(actor.agency_id, [Role.SUPERVISOR]) if u.id != actor.id]
    notify(
        supervisors,
        "duplicate_checks_throttled",
        case=None,
        link=link_to("main.dashboard"),
    )


# ---- the holding agency's task ---------------------------------------------------------------

OUTCOMES = Vocabulary(
    "possible_duplicate_outcome",
    [
        ("contacted", _l("We got in touch with the other agency")),
        ("referred", _l("We referred the case to the other agency, or will")),
        ("not_same_person", _l("Not the same person")),
        ("no_action", _l("No action needed")),
    ],
)


class DuplicateError(OperationError):
    """The task cannot be closed so (already handled, no outcome chosen)."""


def contacts(found: PossibleDuplicate) -> list[User]:
    """Whom the holding agency may contact: who registered the case, and their agency's
    supervisors (active accounts only)."""
    people = [u for u in [found.registered_by] if u is not None and u.active]
    for supervisor in agency_users(found.registering_agency_id, [Role.SUPERVISOR]):
        if supervisor not in people:
            people.append(supervisor)
    return people


def handle_possible_duplicate(actor: User, found: PossibleDuplicate, outcome: str) -> None:
    """Close the task with what the supervisor decided."""
    require(actor, Action.HANDLE_POSSIBLE_DUPLICATE, found)
    if found.handled_at is not None:
        raise DuplicateError(_l("This possible duplicate was already handled."))
    if outcome not in OUTCOMES:
        raise DuplicateError(_l("Choose what was decided."), "outcome")
    found.handled_at = utcnow()
    found.handled_by_id = actor.id
    found.outcome = outcome
    audit.record("case.possible_duplicate_handled", actor=actor, target=found, detail=outcome)
    db.session.flush()
