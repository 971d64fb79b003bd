"""Demo cases: realistic, invented people in every demo agency that owns cases.

Names are written in the scripts of the region (Thai, Khmer, Vietnamese, Burmese, Tagalog),
so search, display and encryption are exercised with real text. Every person is invented.
Loading is idempotent: an agency that already holds cases gets none added, so running
`flask demo` again changes nothing. Never for production (the command refuses).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from casework import audit
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.cases.ages import age_on
from casework.cases.models import Case, CaseCode, Consent, IdentityDocument, Person
from casework.cases.references import next_reference
from casework.cases.timeline import add_entry
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.devdata.case_data import DEMO_CASES, DemoCase
from casework.domain import CaseStatus
from casework.vocab import age_band


def _staff(agency: Agency) -> tuple[User | None, User | None]:
    """The agency's first demo caseworker and supervisor (either may be missing)."""
    users = db.session.execute(select(User).where(User.agency_id == agency.id)).scalars()
    by_role: dict[str, User] = {}
    for user in sorted(users, key=lambda u: u.email):
        by_role.setdefault(user.role, user)
    return by_role.get("caseworker"), by_role.get("supervisor")


def _create(spec: DemoCase, agency: Agency, agencies: dict[str, Agency]) -> Case:
    today = utcnow().date()
    identified = today - timedelta(days=spec.identified_days_ago)
    caseworker, supervisor = _staff(agency)
    assignee = (
        db.session.execute(select(User).where(User.email == spec.assigned)).scalar_one()
        if spec.assigned
        else None
    )
    recorder = assignee or supervisor or caseworker
    case = Case(
        reference=next_reference(agency.country, identified),
        agency_id=agency.id,
        assigned_to_id=assignee.id if assignee else None,
        created_by_id=recorder.id if recorder else None,
        status=spec.status,
        identified_on=identified,
        identification_channel=spec.channel,
        risk_level=spec.risk,
        trafficking_status="PossibleVictimOfTrafficking",
        gender=spec.gender,
    )
    db.session.add(case)
    db.session.flush()
    person = Person()
    case.person = person
    person.full_name = spec.name
    person.date_of_birth = spec.born
    person.phone = spec.phone
    person.vulnerability_details = spec.vulnerability_details
    person.perpetrator_details = spec.perpetrator_details
    case.marital_status, case.number_of_children = spec.marital_status, spec.children
    age = age_on(case, identified)
    case.age_at_identification = age
    case.age_band = age_band(age)
    case.codes.append(CaseCode(vocabulary="citizenship", code=spec.citizenship))
    for code in spec.exploitation:
        case.codes.append(CaseCode(vocabulary="exploitation_type", code=code))
    for vocabulary, codes in spec.codes.items():
        case.codes.extend(CaseCode(vocabulary=vocabulary, code=code) for code in codes)
    if spec.passport:
        document = IdentityDocument(doc_type="passport", issuing_country=spec.citizenship)
        case.identity_documents.append(document)
        document.number = spec.passport
    db.session.flush()
    add_entry(case, "case.registered", actor=recorder)
    minor = age is not None and age < 18
    for purpose, named in spec.consents:
        consent = Consent(
            case_id=case.id,
            purpose=purpose,
            shared_with_agency_id=agencies[named].id if named else None,
            given_on=identified,
            method="guardian" if minor else "signed_form",
            recorded_by_id=recorder.id if recorder else None,
        )
        case.consents.append(consent)
        db.session.flush()
        add_entry(case, "consent.recorded", actor=recorder, detail=purpose, target=consent)
    if spec.closure_requested and spec.closure_reason:
        case.closure_reason = spec.closure_reason
        case.closure_requested_status = CaseStatus.CLOSED
        case.closure_requested_at = utcnow() - timedelta(days=1)
        case.closure_requested_by_id = recorder.id if recorder else None
        add_entry(
            case, "case.closure_requested", actor=recorder, detail=f"reason={spec.closure_reason}"
        )
    if spec.closed_days_ago is not None:
        case.closure_reason = spec.closure_reason
        case.closed_at = utcnow() - timedelta(days=spec.closed_days_ago)
        case.closed_by_id = supervisor.id if supervisor else None
        entry = add_entry(
            case,
            "case.closure_approved",
            actor=supervisor,
            detail=f"status={spec.status} reason={spec.closure_reason}",
        )
        entry.at = case.closed_at
    db.session.flush()
    return case


def load_demo_cases() -> int:
    """Create the demo cases of every demo agency that holds none yet; the number made."""
    names = list(DEMO_CASES)
    agencies = {
        agency.name: agency
        for agency in db.session.execute(
            select(Agency).where(
                Agency.name.in_(
                    [
                        *names,
                        *(
                            n
                            for specs in DEMO_CASES.values()
                            for s in specs
                            for _p, n in s.consents
                            if n
                        ),
                    ]
                )
            )
        ).scalars()
    }
    created = 0
    for name in names:
        agency = agencies.get(name)
        if agency is None:
            continue
        held = db.session.execute(
            select(func.count()).select_from(Case).where(Case.agency_id == agency.id)
        ).scalar_one()
        if held:
            continue
        for spec in DEMO_CASES[name]:
            _create(spec, agency, agencies)
            created += 1
    if created:
        audit.record("demo.cases_loaded", detail=f"count={created}")
        db.session.flush()
    return created
