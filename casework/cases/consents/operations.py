"""Consents: one dated record per purpose, who recorded it and how; withdrawal at once.

verb_noun operations: they change the ORM, write a timeline entry and an audit event (ids and
codes only), flush, and never commit. A refusal raises `RecordError` naming the field.
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
from casework.cases import signals
from casework.cases.ages import AgeMismatch, check_consent_method
from casework.cases.errors import RecordError
from casework.cases.guard import Change, ensure_may_change
from casework.cases.models import Case, Consent
from casework.cases.timeline import add_entry
from casework.core.conditional import insert_unless_present, update_if
from casework.core.db import parse_uuid, utcnow
from casework.core.extensions import db
from casework.domain import AGENCY_CONSENT_PURPOSES
from casework.vocab import CONSENT_METHODS, CONSENT_PURPOSES
from casework.web.dates import day


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
    ensure_may_change(case, Change.RECORD_CONSENT, RecordError)
    if purpose not in CONSENT_PURPOSES:
        raise RecordError(_("Choose what the consent is for."), "purpose")
    if method not in CONSENT_METHODS:
        raise RecordError(_("Choose how the consent was obtained."), "method")
    agency_uuid = parse_uuid(agency_id)
    if purpose in AGENCY_CONSENT_PURPOSES:
        agency = db.session.get(Agency, agency_uuid) if agency_uuid else None
        if agency is None or not agency.active or agency.id == case.agency_id:
            raise RecordError(_("Choose the agency this consent names."), "agency_id")
    elif agency_id:
        raise RecordError(_("Only consents to sharing or referral name an agency."), "agency_id")
    if given_on > utcnow().date():
        raise RecordError(_("The date cannot be in the future."), "given_on")
    if given_on < case.identified_on:
        raise RecordError(_("The date cannot be before the case was identified."), "given_on")
    try:
        check_consent_method(case, given_on, method, "method")
    except AgeMismatch as refused:
        raise RecordError(refused.message, refused.field) from None
    named = agency_uuid if purpose in AGENCY_CONSENT_PURPOSES else None
    for existing in case.consents:
        same = existing.is_current and existing.purpose == purpose
        if same and existing.shared_with_agency_id == named:
            raise _already_current(existing)
    # The check above cannot see a consent being recorded at this moment by someone else: the
    # insert yields to it (one current consent per purpose and agency, a unique index).
    consent_id = uuid.uuid4()
    now = utcnow()
    values = {
        "id": consent_id,
        "case_id": case.id,
        "purpose": purpose,
        "shared_with_agency_id": named,
        "given_on": given_on,
        "method": method,
        "recorded_by_id": actor.id,
        "created_at": now,
        "updated_at": now,
    }
    inserted = insert_unless_present(db.session, Consent.__table__, values)  # type: ignore[arg-type]
    db.session.expire(case, ["consents"])
    if not inserted:
        standing = next(
            c
            for c in case.consents
            if c.is_current and c.purpose == purpose and c.shared_with_agency_id == named
        )  # the row the insert yielded to: committed, so this transaction sees it
        raise _already_current(standing)
    consent = db.session.get_one(Consent, consent_id)
    add_entry(case, "consent.recorded", actor=actor, detail=purpose, target=consent)
    audit.record("consent.recorded", actor=actor, target=consent, detail=purpose)
    return consent


def _already_current(existing: Consent) -> RecordError:
    return RecordError(
        _(
            "A current consent for this already exists (given on %(day)s).",
            day=day(existing.given_on),
        ),
        "purpose",
    )


def withdraw_consent(actor: User, case: Case, consent: Consent) -> None:
    """Withdraw a consent now. The policy reads current consents on every request, so a
    partner's access through a referral that needed it ends with this transaction."""
    ensure_may_change(case, Change.WITHDRAW_CONSENT, RecordError)
    withdrawn = _("This consent was already withdrawn.")
    if not consent.is_current:
        raise RecordError(withdrawn)
    # Conditional: of two withdrawals at once, one is recorded (and announced) once.
    current = Consent.withdrawn_at.is_(None)
    if not update_if(consent, current, withdrawn_at=utcnow(), withdrawn_by_id=actor.id):
        raise RecordError(withdrawn)
    add_entry(case, "consent.withdrawn", actor=actor, detail=consent.purpose, target=consent)
    audit.record("consent.withdrawn", actor=actor, target=consent, detail=consent.purpose)
    signals.consent_withdrawn.send(case, actor=actor, consent=consent)
