"""Demo referrals and services, so that each role sees a realistic inbox.

Runs after the demo agencies, users and cases exist (casework/devdata/demo.py). It uses the demo
agencies' open cases; when fewer than it needs exist it registers a few plain demo cases of
its own. Everything goes through the real operations (consent checks, audit, timeline,
notifications), then dates are moved back so waiting times and tasks look lived-in.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from casework.agencies.models import Agency
from casework.auth.models import User
from casework.cases.models import Case, CaseCode, Consent, Person
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.devdata.accounts import DEMO_AGENCIES
from casework.domain import ServiceStatus
from casework.referrals import operations as ops
from casework.referrals.models import Referral
from casework.services import operations as service_ops
from casework.vocab import RETURN_SERVICES

# Services each demo agency offers (by its position in accounts.DEMO_AGENCIES).
SERVICES_OFFERED = [
    ["family_tracing", "interpretation"],
    ["shelter", "health_care", "psychosocial_counselling", "education"],
    [
        "psychosocial_counselling",
        "return_repatriation",
        "reintegration",
        "family_tracing",
        "vocational_training",
    ],
    ["legal_aid", "interpretation", "rights_based_training"],
    [],
]


def _user(email: str) -> User:
    return db.session.execute(select(User).where(User.email == email)).scalar_one()


def _open_cases(agency: Agency, needed: int, caseworker: User) -> list[Case]:
    query = (
        select(Case)
        .where(Case.agency_id == agency.id, Case.erased_at.is_(None))
        .order_by(Case.reference)
    )
    cases = [c for c in db.session.execute(query).scalars() if not c.is_closed]
    while len(cases) < needed:
        cases.append(_plain_case(agency, caseworker, len(cases)))
    return cases[:needed]


def _plain_case(agency: Agency, caseworker: User, n: int) -> Case:
    from casework.cases.references import next_reference

    identified = utcnow().date() - timedelta(days=40 + 7 * n)
    case = Case(
        reference=next_reference(agency.country, identified),
        agency_id=agency.id,
        assigned_to_id=caseworker.id,
        created_by_id=caseworker.id,
        identified_on=identified,
        identification_channel="outreach",
        risk_level="medium",
        trafficking_status="PossibleVictimOfTrafficking",
        gender="Feminine" if n % 2 == 0 else "Masculine",
        age_at_identification=24 + n,
        age_band="21-23" if n == 0 else "24-26",
    )
    db.session.add(case)
    db.session.flush()
    case.codes.append(CaseCode(vocabulary="citizenship", code="KH"))
    case.person = Person()
    case.person.full_name = f"Demo Person {agency.country}-{n + 1}"
    db.session.flush()
    return case


def _consent(case: Case, agency: Agency, recorder: User) -> None:
    if case.has_current_consent(frozenset({"sharing", "referral"}), agency.id):
        return
    from casework.cases.ages import is_minor_on

    given_on = max(utcnow().date() - timedelta(days=30), case.identified_on)
    case.consents.append(
        Consent(
            case_id=case.id,
            purpose="sharing",
            shared_with_agency_id=agency.id,
            given_on=given_on,
            # a minor consents through a guardian (casework.cases.consents.operations)
            method="guardian" if is_minor_on(case, given_on) else "signed_form",
            recorded_by_id=recorder.id,
        )
    )
    db.session.flush()


_AGES: dict[Any, int] = {}  # referral id -> days since it was "sent", for _backdate


def _refer(sender: User, case: Case, to: Agency, days_ago: int, **values: Any) -> Referral:
    _consent(case, to, sender)
    # The coded reason (HTCDS): a return is a change of location, else more services.
    returning = RETURN_SERVICES & set(values.get("services", []))
    values.setdefault(
        "reason_code", "MigrationOrChangeOfLocation" if returning else "AdditionalServicesRequired"
    )
    referral = ops.create_referral(sender, case, to_agency_id=to.id, **values)
    _AGES[referral.id] = days_ago
    return referral


def _backdate(referrals: list[Referral]) -> None:
    """Move each referral back to when the story says it was sent (answers a day later)."""
    for referral in referrals:
        created = utcnow() - timedelta(days=_AGES.pop(referral.id, 0))
        referral.created_at = created
        if referral.responded_at is not None:
            referral.responded_at = created + timedelta(days=1)
        if referral.completed_at is not None:
            referral.completed_at = created + timedelta(days=27)
    db.session.flush()


def load_demo_referrals() -> bool:
    """Create the demo referrals once; False when there already are some (or no demo
    agencies)."""
    names = [spec["name"] for spec in DEMO_AGENCIES]
    found = {
        a.name: a
        for a in db.session.execute(select(Agency).where(Agency.name.in_(names))).scalars()
    }
    if len(found) != len(names):
        return False
    agencies = [found[name] for name in names]
    ids = [a.id for a in agencies]
    if db.session.execute(select(Referral.id).where(Referral.from_agency_id.in_(ids))).first():
        return False
    for agency, services in zip(agencies, SERVICES_OFFERED, strict=False):
        agency.services_offered = agency.services_offered or services
    police, shelter, counselling, legal = agencies[0], agencies[1], agencies[2], agencies[3]
    police_sup = _user("supervisor@demo.casework.example")
    shelter_sup = _user("shelter.supervisor@demo.casework.example")
    partner = _user("partner@demo.casework.example")
    legal_partner = _user("legal.partner@demo.casework.example")
    case_a, case_b = _open_cases(police, 2, _user("caseworker@demo.casework.example"))
    case_c, case_d = _open_cases(shelter, 2, _user("shelter.caseworker@demo.casework.example"))
    today = utcnow().date()

    # Accepted, cross-border (TH -> KH): counselling under way, two sessions, one missed.
    counsel = _refer(
        police_sup,
        case_a,
        counselling,
        12,
        services=["psychosocial_counselling"],
        urgency="urgent",
        reason="Counselling in Khmer before and after return.",
        shared_groups=["identity_contact", "trafficking_context"],
    )
    ops.accept_referral(partner, counsel, caseworker_id=partner.id)
    record = service_ops.create_service_record(
        partner,
        case_a,
        service_type="psychosocial_counselling",
        status=ServiceStatus.IN_PROGRESS,
        start_on=today - timedelta(days=9),
        due_on=today + timedelta(days=60),
        notes="Weekly sessions by video until return, then in person.",
    )
    for days_ago, flags, note in (
        (9, [], "Introductions; sleep is poor."),
        (2, ["re_trafficking"], "Recruiter called again."),
    ):
        service_ops.record_session(
            partner,
            record,
            held_on=today - timedelta(days=days_ago),
            duration_minutes=60,
            counsellor_id=partner.id,
            modality="video",
            notes=note,
            risk_flags=flags,
            next_appointment_on=today - timedelta(days=days_ago - 7)
            if days_ago > 7
            else today - timedelta(days=1),
        )
    service_ops.save_support_plan(
        police_sup,
        case_a,
        objectives="Safe return to Cambodia with counselling and legal advice.",
        planned_end_on=today + timedelta(days=120),
        actual_end_on=None,
        service_types=["psychosocial_counselling", "legal_aid", "return_repatriation"],
    )
    # Declined, cross-border (TH -> PH).
    declined = _refer(
        police_sup,
        case_a,
        legal,
        10,
        services=["legal_aid"],
        urgency="routine",
        reason="Advice on a claim against the recruitment agency in Manila.",
        shared_groups=["trafficking_context"],
    )
    ops.decline_referral(
        legal_partner, declined, reason="The recruiter is outside our jurisdiction."
    )
    # Pending, domestic (TH -> TH), answer overdue; and pending cross-border to PH.
    _refer(
        police_sup,
        case_b,
        shelter,
        4,
        services=["shelter", "health_care"],
        urgency="urgent",
        reason="Needs a safe place tonight and a medical check.",
        shared_groups=["identity_contact", "health_notes"],
    )
    _refer(
        police_sup,
        case_b,
        legal,
        1,
        services=["legal_aid", "interpretation"],
        urgency="routine",
        reason="Statement to the court with an interpreter.",
        shared_groups=["trafficking_context", "documents"],
    )
    # Completed, cross-border return and reintegration (TH shelter -> KH NGO).
    returned = _refer(
        shelter_sup,
        case_c,
        counselling,
        30,
        services=["return_repatriation", "reintegration"],
        urgency="routine",
        reason="Return home to Battambang and reintegration support.",
        shared_groups=["identity_contact"],
    )
    ops.accept_referral(partner, returned)
    service_ops.create_service_record(
        partner,
        case_c,
        service_type="reintegration",
        status=ServiceStatus.COMPLETED,
        start_on=today - timedelta(days=25),
        end_on=today - timedelta(days=3),
        outcome="goals_met",
        notes="Family reunited; vocational course started.",
    )
    ops.complete_referral(partner, returned)
    # Pending, cross-border, just arrived in the NGO's inbox.
    _refer(
        shelter_sup,
        case_d,
        counselling,
        0,
        services=["psychosocial_counselling"],
        urgency="routine",
        reason="Ongoing counselling after leaving the shelter.",
        shared_groups=["trafficking_context", "health_notes"],
    )
    # The home queues (issue 16): an emergency referral just arrived in the counselling NGO
    # partner's inbox; the shelter's appointments today and this week.
    _refer(
        police_sup,
        case_b,
        counselling,
        0,
        services=["psychosocial_counselling"],
        urgency="emergency",
        reason="Threatened by the recruiter last night: counselling in Khmer today.",
        shared_groups=["trafficking_context"],
    )
    for case, held_days_ago, next_in_days in ((case_d, 6, 0), (case_c, 1, 3)):
        if case.is_closed:
            continue
        shelter_record = service_ops.create_service_record(
            shelter_sup,
            case,
            service_type="psychosocial_counselling",
            status=ServiceStatus.IN_PROGRESS,
            start_on=today - timedelta(days=20),
            due_on=today + timedelta(days=40),
            notes="Weekly sessions at the shelter.",
        )
        service_ops.record_session(
            shelter_sup,
            shelter_record,
            held_on=today - timedelta(days=held_days_ago),
            duration_minutes=50,
            counsellor_id=shelter_sup.id,
            modality="in_person",
            notes="Settling in; talks about going home.",
            risk_flags=[],
            next_appointment_on=today + timedelta(days=next_in_days),
        )
    _backdate(
        list(db.session.execute(select(Referral).where(Referral.from_agency_id.in_(ids))).scalars())
    )
    return True


def referred_to(case: Case) -> list[str]:
    """Agencies with an accepted, open referral of the case (and a standing consent)."""
    return sorted(
        {
            r.to_agency.name
            for r in case.referrals
            if r.grants_access and case.open_referral_to(r.to_agency_id)
        }
    )
