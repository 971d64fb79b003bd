"""The cases an actor may open: the SQL twin of the policy's VIEW_CASE rule.

Every list or search of cases starts here, so a list cannot show a case that
`can(actor, Action.VIEW_CASE, case)` would refuse (tests/cases/test_models.py walks both).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, exists, false, select

from casework.cases.models import Case, Consent
from casework.domain import (
    AGENCY_CONSENT_PURPOSES,
    CONTINUING_CASE_STATUSES,
    PROCESSING_CONSENT_PURPOSE,
    ReferralStatus,
)
from casework.policy import Action, Actor, Role, can


def visible_cases(actor: Actor | None) -> Select[Any]:
    """Cases the actor may open: a caseworker's assigned cases, a supervisor's agency's, a
    partner's cases with an accepted referral to their agency and a standing consent. A
    restricted case (registration consent withdrawn) only its agency's supervisors."""
    query = select(Case)
    if actor is None or not can(actor, Action.VIEW_CASE):
        return query.where(false())
    role = Role(actor.role)
    if role == Role.CASEWORKER:
        return query.where(
            Case.agency_id == actor.agency_id,
            Case.assigned_to_id == actor.id,
            ~processing_restricted(),
        )
    if role == Role.SUPERVISOR:
        return query.where(Case.agency_id == actor.agency_id)
    if role == Role.PARTNER:
        return query.where(
            shared_with_agency(actor.agency_id),
            ~processing_restricted(),
            Case.status.in_(sorted(CONTINUING_CASE_STATUSES)),
            Case.erased_at.is_(None),
        )
    return query.where(false())


def shared_with_agency(agency_id: Any) -> ColumnElement[bool]:
    """SQL condition on a case: an accepted referral of it to the agency, and a current
    consent to share with (or refer to) that agency."""
    referral_open = Case.referrals.any(to_agency_id=agency_id, status=ReferralStatus.ACCEPTED)
    consent_stands = exists().where(
        Consent.case_id == Case.id,
        Consent.shared_with_agency_id == agency_id,
        Consent.purpose.in_(sorted(AGENCY_CONSENT_PURPOSES)),
        Consent.withdrawn_at.is_(None),
    )
    return referral_open & consent_stands


def processing_restricted() -> ColumnElement[bool]:
    """SQL twin of `Case.processing_restricted`: the registration consent was withdrawn and
    none stands now. Whatever matches or shares cases (the duplicate check, referrals) leaves
    these out (decision 0063)."""
    registration = (Consent.case_id == Case.id) & (Consent.purpose == PROCESSING_CONSENT_PURPOSE)
    withdrawn = exists().where(registration, Consent.withdrawn_at.is_not(None))
    current = exists().where(registration, Consent.withdrawn_at.is_(None))
    return withdrawn & ~current
