"""Factories: agencies, users of each role (already enrolled in the second factor), cases,
consents and referrals."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from datetime import date

from casework.agencies.models import Agency
from casework.auth import passwords, totp
from casework.auth.models import User
from casework.cases.models import Case, CaseCode, Consent, IdentityDocument, Person
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.policy import Role
from casework.referrals.models import Referral, ReferralService

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple violet"  # passes the strength rules


@functools.cache
def password_hash(password: str) -> str:
    """One real Argon2 hash per password per test session: every factory user with the same
    password shares it (the hash is what the app verifies; its salt makes no difference here)."""
    return passwords.hash_password(password)


def make_agency(
    name: str | None = None, country: str = "TH", org_type: str = "NGO", active: bool = True
) -> Agency:
    agency = Agency(
        name=name or f"Agency {next(_counter)}", country=country, org_type=org_type, active=active
    )
    db.session.add(agency)
    db.session.flush()
    return agency


@dataclass
class Account:
    user: User
    password: str
    secret: str

    def code(self, step_offset: int = 0) -> str:
        """A valid one-time code that has not been used yet."""
        import time

        step = int(time.time() // totp.INTERVAL) + step_offset
        if self.user.last_totp_step is not None and step <= self.user.last_totp_step:
            step = self.user.last_totp_step + 1
        return totp.current_code(self.secret, now=step * totp.INTERVAL)


def make_user(
    role: Role | str = Role.CASEWORKER,
    agency: Agency | None = None,
    *,
    email: str | None = None,
    password: str = PASSWORD,
    enrolled: bool = True,
    must_change_password: bool = False,
    active: bool = True,
    approved: bool = True,
) -> Account:
    agency = agency or make_agency()
    n = next(_counter)
    user = User(
        email=email or f"user{n}@example.org",
        name=f"Test User {n}",
        agency_id=agency.id,
        role=str(Role(role).value),
        password_hash=password_hash(password),
        must_change_password=must_change_password,
        active=active,
        approved_at=utcnow() if approved else None,
    )
    secret = totp.new_secret()
    if enrolled:
        user.totp_secret = secret
        user.totp_enrolled_at = utcnow()
    db.session.add(user)
    db.session.flush()
    return Account(user, password, secret)


# ---- cases, consents, referrals, services ------------------------------------------------


def make_case(
    agency: Agency | None = None,
    *,
    assigned_to: User | None = None,
    full_name: str = "Test Person",
    date_of_birth: str | None = "1999-04-01",
    phone: str | None = None,
    status: str = "Active",
    risk_level: str = "medium",
    gender: str | None = "Feminine",
    citizenship: str | None = "KH",
    age: int | None = 26,
    identified_on: date | None = None,
    channel: str = "outreach",
    exploitation: tuple[str, ...] = ("ForcedLabour",),
    documents: tuple[tuple[str, str], ...] = (),
) -> Case:
    """A case with a person (names, birth date, documents encrypted) and coded fields."""
    from casework.cases.references import next_reference
    from casework.vocab import age_band

    agency = agency or (assigned_to.agency if assigned_to is not None else make_agency())
    identified_on = identified_on or date(2026, 3, 14)
    case = Case(
        reference=next_reference(agency.country, identified_on),
        agency_id=agency.id,
        assigned_to_id=assigned_to.id if assigned_to is not None else None,
        status=status,
        identified_on=identified_on,
        identification_channel=channel,
        risk_level=risk_level,
        trafficking_status="PossibleVictimOfTrafficking",
        gender=gender,
        age_at_identification=age,
        age_band=age_band(age),
    )
    db.session.add(case)
    db.session.flush()
    person = Person()
    case.person = person
    person.full_name = full_name
    person.date_of_birth = date_of_birth
    person.phone = phone
    if citizenship is not None:
        case.codes.append(CaseCode(vocabulary="citizenship", code=citizenship))
    for code in exploitation:
        case.codes.append(CaseCode(vocabulary="exploitation_type", code=code))
    for doc_type, number in documents:
        document = IdentityDocument(doc_type=doc_type)
        case.identity_documents.append(document)
        document.number = number
    db.session.flush()
    return case


def make_consent(
    case: Case,
    purpose: str = "registration",
    *,
    agency: Agency | None = None,
    method: str = "signed_form",
    given_on: date | None = None,
) -> Consent:
    consent = Consent(
        case_id=case.id,
        purpose=purpose,
        shared_with_agency_id=agency.id if agency is not None else None,
        given_on=given_on or date(2026, 3, 14),
        method=method,
    )
    case.consents.append(consent)
    db.session.flush()
    return consent


def make_referral(
    case: Case,
    to_agency: Agency,
    *,
    status: str = "pending",
    services: tuple[str, ...] = ("psychosocial_counselling",),
    shared_groups: tuple[str, ...] = ("trafficking_context",),
    urgency: str = "routine",
    consent: bool = True,
    created_by: User | None = None,
) -> Referral:
    """A referral (and, unless `consent=False`, the sharing consent it needs)."""
    if consent and not case.has_current_consent(frozenset({"sharing"}), to_agency.id):
        make_consent(case, "sharing", agency=to_agency)
    referral = Referral(
        from_agency_id=case.agency_id,
        to_agency_id=to_agency.id,
        from_country=case.agency.country,
        to_country=to_agency.country,
        urgency=urgency,
        shared_groups=list(shared_groups),
        status=status,
        created_by_id=created_by.id if created_by is not None else None,
    )
    case.referrals.append(referral)
    referral.reason = "Needs counselling after rescue"
    for service_type in services:
        referral.services.append(ReferralService(service_type=service_type))
    db.session.flush()
    return referral
