"""Demo cases: in every demo agency that owns cases, idempotent, and listed by `demo --json`."""

from __future__ import annotations

import json
import uuid

from flask import Flask
from sqlalchemy import func, select

from casework.audit.models import AuditEvent
from casework.cases.models import Case, Consent, Person
from casework.core.extensions import db
from casework.devdata.accounts import DEMO_AGENCIES, DEMO_USERS
from casework.devdata.case_data import DEMO_CASES
from casework.devdata.demo import load_demo
from casework.domain import CLOSED_CASE_STATUSES
from casework.policy import Action, Role, can

CASE_KEYS = {"reference", "url", "agency", "assigned_to", "person_name", "referred_to"}


def _counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def test_every_agency_that_owns_cases_gets_demo_cases() -> None:
    owning = {
        DEMO_AGENCIES[index]["name"]
        for role, _email, _name, index in DEMO_USERS
        if role in (Role.CASEWORKER, Role.SUPERVISOR)
    }
    assert set(DEMO_CASES) == owning
    assert load_demo()
    db.session.commit()
    cases = list(db.session.execute(select(Case)).scalars())
    assert {case.agency.name for case in cases} == owning
    assert sum(len(specs) for specs in DEMO_CASES.values()) == len(cases)
    assert any(case.status in CLOSED_CASE_STATUSES for case in cases)
    assert any(case.closure_requested_at is not None for case in cases)
    assert all(case.consents for case in cases)
    for case in cases:
        if case.age_at_identification is not None and case.age_at_identification < 18:
            assert {c.method for c in case.consents} == {"guardian"}, case.reference
    caseworker = (
        db.session.execute(select(Case.assigned_to_id).where(Case.assigned_to_id.is_not(None)))
        .scalars()
        .all()
    )
    assert caseworker, "some cases are assigned to the demo caseworkers"
    names = {case.person.full_name for case in cases}
    for script_sample in ("สมหญิง", "សុខ", "Nguyễn", "Dela Cruz", "အောင်"):
        assert any(script_sample in name for name in names), script_sample
    raw = db.session.execute(select(Person.full_name_ct)).scalars().all()
    assert all("สมหญิง".encode() not in value for value in raw)


def test_running_the_demo_again_changes_nothing() -> None:
    load_demo()
    db.session.commit()
    before = _counts()
    assert load_demo() is False
    db.session.commit()
    assert _counts() == before


def test_demo_json_lists_every_case(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    agencies = {user["agency"] for user in data["users"]}
    emails = {user["email"] for user in data["users"] if user["role"] == "caseworker"}
    assert len(data["cases"]) == sum(len(specs) for specs in DEMO_CASES.values())
    for entry in data["cases"]:
        assert set(entry) == CASE_KEYS
        assert entry["agency"] in agencies
        assert entry["assigned_to"] is None or entry["assigned_to"] in emails
        assert entry["url"].startswith("/cases/")
        case = db.session.get(Case, uuid.UUID(entry["url"].rsplit("/", 1)[1]))
        assert case is not None
        assert case.reference == entry["reference"]
        assert entry["person_name"] == case.person.full_name
        assert set(entry["referred_to"]) <= agencies - {entry["agency"]}
    assert any(entry["assigned_to"] for entry in data["cases"])
    assert any(entry["referred_to"] for entry in data["cases"]), "the demo referrals show"
    again = runner.invoke(args=["demo", "--json"])
    assert json.loads(again.output) == data


def test_demo_caseworker_sees_only_their_cases() -> None:
    load_demo()
    db.session.commit()
    from casework.auth.models import User

    worker = db.session.execute(
        select(User).where(User.email == "caseworker@demo.casework.example")
    ).scalar_one()
    for case in db.session.execute(select(Case)).scalars():
        assert can(worker, Action.VIEW_CASE, case) is (case.assigned_to_id == worker.id)
    sharing = db.session.execute(select(Consent).where(Consent.purpose == "sharing")).scalars()
    assert all(c.shared_with_agency_id is not None for c in sharing)
    assert db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "demo.cases_loaded")
    ).scalar_one()


def test_referred_to_names_agencies_with_an_accepted_referral() -> None:
    from casework.agencies.models import Agency
    from casework.devdata.demo import demo_summary
    from tests import factories

    load_demo()
    case = db.session.execute(select(Case).order_by(Case.reference)).scalars().first()
    shelter = db.session.execute(
        select(Agency).where(Agency.name == "Mekong Safe Shelter")
    ).scalar_one()
    legal = db.session.execute(
        select(Agency).where(Agency.name == "Manila Legal Aid for Migrants")
    ).scalar_one()
    factories.make_referral(case, shelter, status="accepted")
    factories.make_referral(case, legal, status="pending")
    entry = next(e for e in demo_summary()["cases"] if e["reference"] == case.reference)
    assert entry["referred_to"] == ["Mekong Safe Shelter"]
