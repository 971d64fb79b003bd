"""Consents, assignment and closure of a case: verb_noun operations.

Each changes the ORM, writes a timeline entry and an audit event (ids and codes only),
flushes, and never commits. A refusal raises `RecordError` naming the field it concerns.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from casework import audit
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.case_records import signals
from casework.cases.models import Case, Consent
from casework.cases.timeline import add_entry
from casework.db import utcnow
from casework.extensions import db
from casework.policy import Role
from casework.vocab import (
    AGENCY_CONSENT_PURPOSES,
    CLOSED_STATUSES,
    CLOSURE_REASONS,
    CONSENT_METHODS,
    CONSENT_PURPOSES,
)
from casework.vocab.records import CLOSURE_REJECTIONS

ADULT_AGE = 18
ASSIGNABLE_ROLES = (Role.CASEWORKER.value, Role.SUPERVISOR.value)


class RecordError(Exception):
    """An operation refused: the message is for the person, `field` says where to show it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def ensure_changeable(case: Case) -> None:
    if case.is_erased:
        raise RecordError(_("This case's identifying data was erased: it can no longer change."))


def ensure_open(case: Case) -> None:
    ensure_changeable(case)
    if case.is_closed:
        raise RecordError(_("This case is closed. A supervisor can re-open it first."))


def _uuid(value: Any) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def today() -> date:
    return utcnow().date()


# ---- consents --------------------------------------------------------------------------


def age_on(case: Case, on: date) -> int | None:
    """The person's age in whole years on `on`: from the date of birth when known, else from
    the age at identification (None when neither is known, or after erasure)."""
    born = case.person.date_of_birth if case.person is not None else None
    if born:
        try:
            birth = date.fromisoformat(born)
        except ValueError:
            birth = None
        if birth is not None:
            return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    if case.age_at_identification is None:
        return None
    later = case.identified_on
    years = on.year - later.year - ((on.month, on.day) < (later.month, later.day))
    return case.age_at_identification + max(years, 0)


def consent_agency_choices(case: Case) -> list[tuple[str, str]]:
    """Active agencies a consent may name (not the case's own agency)."""
    agencies = db.session.execute(
        select(Agency)
        .where(Agency.active.is_(True), Agency.id != case.agency_id)
        .order_by(Agency.name)
    ).scalars()
    return [(str(a.id), a.name) for a in agencies]


def record_consent(
    actor: User,
    case: Case,
    *,
    purpose: str,
    agency_id: Any,
    given_on: date,
    method: str,
) -> Consent:
    """Record one dated consent for one purpose.

    Sharing and referral consents name an agency; nothing else does. A person under 18 on
    the day consents through a guardian, and "guardian" is refused for an adult (the code
    means a minor's guardian). A second current consent for the same purpose (and agency) is
    refused: withdraw the old one first, or keep it.
    """
    ensure_open(case)
    if purpose not in CONSENT_PURPOSES:
        raise RecordError(_("Choose what the consent is for."), "purpose")
    if method not in CONSENT_METHODS:
        raise RecordError(_("Choose how the consent was obtained."), "method")
    agency_uuid = _uuid(agency_id)
    if purpose in AGENCY_CONSENT_PURPOSES:
        agency = db.session.get(Agency, agency_uuid) if agency_uuid else None
        if agency is None or not agency.active or agency.id == case.agency_id:
            raise RecordError(_("Choose the agency this consent names."), "agency_id")
    elif agency_id:
        raise RecordError(_("Only consents to sharing or referral name an agency."), "agency_id")
    if given_on > today():
        raise RecordError(_("The date cannot be in the future."), "given_on")
    if given_on < case.identified_on:
        raise RecordError(_("The date cannot be before the case was identified."), "given_on")
    age = age_on(case, given_on)
    if age is not None and age < ADULT_AGE and method != "guardian":
        raise RecordError(
            _("The person was under 18 on that date: a guardian gives consent."), "method"
        )
    if age is not None and age >= ADULT_AGE and method == "guardian":
        raise RecordError(_("The person was an adult on that date: choose another way."), "method")
    for existing in case.consents:
        if (
            existing.is_current
            and existing.purpose == purpose
            and existing.shared_with_agency_id == (agency_uuid if agency_id else None)
        ):
            raise RecordError(
                _(
                    "A current consent for this already exists (given on %(day)s).",
                    day=existing.given_on.isoformat(),
                ),
                "purpose",
            )
    consent = Consent(
        case_id=case.id,
        purpose=purpose,
        shared_with_agency_id=agency_uuid if purpose in AGENCY_CONSENT_PURPOSES else None,
        given_on=given_on,
        method=method,
        recorded_by_id=actor.id,
    )
    case.consents.append(consent)
    db.session.flush()
    add_entry(case, "consent.recorded", actor=actor, detail=purpose, target=consent)
    audit.record("consent.recorded", actor=actor, target=consent, detail=purpose)
    return consent


def withdraw_consent(actor: User, case: Case, consent: Consent) -> None:
    """Withdraw a consent now. The policy reads current consents on every request, so a
    partner's access through a referral that needed it ends with this transaction."""
    ensure_changeable(case)
    if not consent.is_current:
        raise RecordError(_("This consent was already withdrawn."))
    consent.withdrawn_at = utcnow()
    consent.withdrawn_by_id = actor.id
    db.session.flush()
    add_entry(case, "consent.withdrawn", actor=actor, detail=consent.purpose, target=consent)
    audit.record("consent.withdrawn", actor=actor, target=consent, detail=consent.purpose)
    signals.consent_withdrawn.send(case, actor=actor, consent=consent)


# ---- assignment ------------------------------------------------------------------------


def assignable_users(case: Case) -> list[User]:
    """Active caseworkers and supervisors of the case's own agency."""
    users = db.session.execute(
        select(User)
        .where(
            User.agency_id == case.agency_id,
            User.active.is_(True),
            User.role.in_(ASSIGNABLE_ROLES),
        )
        .order_by(User.name, User.email)
    ).scalars()
    return [user for user in users if user.is_active]


def assign_case(actor: User, case: Case, assignee_id: Any) -> bool:
    """Assign the case to an active caseworker or supervisor of its own agency. False when
    it was already theirs. Anyone else (another agency's user, a partner, a deactivated
    account) is refused, whatever the form sent."""
    ensure_open(case)
    assignee_uuid = _uuid(assignee_id)
    assignee = db.session.get(User, assignee_uuid) if assignee_uuid else None
    if (
        assignee is None
        or assignee.agency_id != case.agency_id
        or assignee.role not in ASSIGNABLE_ROLES
        or not assignee.is_active
    ):
        raise RecordError(_("Choose a caseworker or supervisor of the agency."), "assignee")
    if case.assigned_to_id == assignee.id:
        return False
    previous_id = case.assigned_to_id
    case.assigned_to_id = assignee.id
    db.session.flush()
    add_entry(case, "case.assigned", actor=actor, target=assignee)
    audit.record("case.assigned", actor=actor, target=case, detail=f"to={assignee.id}")
    signals.case_assigned.send(case, actor=actor, assignee=assignee, previous_id=previous_id)
    return True


# ---- closure ---------------------------------------------------------------------------


def closure_pending(case: Case) -> bool:
    return case.closure_requested_at is not None and not case.is_closed


def request_closure(actor: User, case: Case, *, reason: str, status: str) -> None:
    """Ask for closure with a reason and the closed status wanted; a supervisor decides."""
    ensure_open(case)
    if closure_pending(case):
        raise RecordError(_("Closure has already been requested and awaits a decision."))
    if reason not in CLOSURE_REASONS:
        raise RecordError(_("Choose the reason for closure."), "reason")
    if status not in CLOSED_STATUSES:
        raise RecordError(_("Choose how the case is closed."), "status")
    case.closure_reason = reason
    case.closure_requested_status = status
    case.closure_requested_at = utcnow()
    case.closure_requested_by_id = actor.id
    db.session.flush()
    detail = f"status={status} reason={reason}"
    add_entry(case, "closure.requested", actor=actor, detail=detail)
    audit.record("closure.requested", actor=actor, target=case, detail=detail)
    signals.closure_requested.send(case, actor=actor, requested_by_id=actor.id)


def approve_closure(actor: User, case: Case) -> None:
    """Close the case as requested. Four eyes: whoever asked cannot approve."""
    ensure_open(case)
    if not closure_pending(case) or case.closure_requested_status not in CLOSED_STATUSES:
        raise RecordError(_("There is no closure request to decide."))
    if case.closure_requested_by_id == actor.id:
        raise RecordError(_("You asked for this closure: another supervisor must approve it."))
    status = case.closure_requested_status
    case.status = status
    case.closed_at = utcnow()
    case.closed_by_id = actor.id
    _clear_request(case)
    db.session.flush()
    detail = f"status={status} reason={case.closure_reason}"
    add_entry(case, "closure.approved", actor=actor, detail=detail)
    audit.record("closure.approved", actor=actor, target=case, detail=detail)
    signals.case_closed.send(case, actor=actor, status=status)


def reject_closure(actor: User, case: Case, *, note: str) -> None:
    """Send a closure request back with a coded note; the case stays open."""
    ensure_open(case)
    if not closure_pending(case):
        raise RecordError(_("There is no closure request to decide."))
    if note not in CLOSURE_REJECTIONS:
        raise RecordError(_("Choose why the request is sent back."), "note")
    _clear_request(case)
    case.closure_reason = None
    db.session.flush()
    add_entry(case, "closure.rejected", actor=actor, detail=f"note={note}")
    audit.record("closure.rejected", actor=actor, target=case, detail=f"note={note}")


def _clear_request(case: Case) -> None:
    case.closure_requested_at = None
    case.closure_requested_by_id = None
    case.closure_requested_status = None


def reopen_case(actor: User, case: Case) -> None:
    """Re-open a closed case (Active again); its reason for closure is cleared."""
    ensure_changeable(case)
    if not case.is_closed:
        raise RecordError(_("This case is not closed."))
    previous = case.status
    case.status = "Active"
    case.closed_at = None
    case.closed_by_id = None
    case.closure_reason = None
    _clear_request(case)
    db.session.flush()
    add_entry(case, "case.reopened", actor=actor, detail=f"from={previous}")
    audit.record("case.reopened", actor=actor, target=case, detail=f"from={previous}")
