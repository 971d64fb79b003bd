"""`flask seed`: generated cases are complete, encrypted like real ones, and repeatable."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select, text

from casework.cases.models import Case, CaseCode, Person
from casework.core.extensions import db
from casework.devdata.seed.loader import seed_cases
from casework.referrals.models import Referral
from casework.services.models import CounsellingSession, ServiceRecord
from tests.conftest import _empty_tables


def _citizenships() -> Any:
    return (
        select(func.min(CaseCode.code))
        .where(CaseCode.case_id == Case.id, CaseCode.vocabulary == "citizenship")
        .scalar_subquery()
    )


def _coded_snapshot() -> list[tuple[object, ...]]:
    rows = db.session.execute(
        select(
            Case.reference,
            Case.gender,
            Case.age_band,
            _citizenships(),
            Case.status,
            Case.identified_on,
        ).order_by(Case.reference)
    )
    return [tuple(row) for row in rows]


def test_seeded_cases_read_back_through_the_models_and_search(app: Flask) -> None:
    seed_cases(120, seed=7, batch_size=50)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Case)) == 120
    assert db.session.scalar(select(func.count()).select_from(Referral)) > 0
    assert db.session.scalar(select(func.count()).select_from(ServiceRecord)) > 0
    assert db.session.scalar(select(func.count()).select_from(CounsellingSession)) > 0
    for case in db.session.execute(select(Case)).scalars():
        assert case.person is not None
        assert case.person.full_name
        assert case.person.date_of_birth
        for event in case.events:
            assert event.description
        for referral in case.referrals:
            assert referral.reason
    person = db.session.execute(select(Person).limit(1)).scalar_one()
    name = person.full_name
    assert name is not None
    wanted = Person.full_name.blind_index(Person, "  " + name.upper() + " ")
    candidates = db.session.execute(select(Person).where(Person.full_name_bidx == wanted)).scalars()
    assert person.id in [p.id for p in candidates if Person.full_name.matches(p.full_name, name)]
    raw = db.session.execute(text("SELECT full_name_ct FROM people LIMIT 50")).scalars()
    assert all(name.encode() not in value for value in raw)


def test_the_same_seed_gives_the_same_cases(app: Flask) -> None:
    seed_cases(40, seed=11, batch_size=15)
    first = _coded_snapshot()
    db.session.remove()
    _empty_tables()
    seed_cases(40, seed=11, batch_size=15)
    assert _coded_snapshot() == first
    db.session.remove()
    _empty_tables()
    seed_cases(40, seed=12, batch_size=15)
    assert _coded_snapshot() != first


def test_seeding_keeps_the_audit_chain_whole_and_refuses_production(app: Flask) -> None:
    seed_cases(10, seed=1)
    runner = app.test_cli_runner()
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    app.config["ENV_NAME"] = "production"
    try:
        result = runner.invoke(args=["seed", "--cases", "5"])
    finally:
        app.config["ENV_NAME"] = "testing"
    assert result.exit_code != 0
    assert "refused in production" in result.output


def test_the_seed_command_reports_what_it_wrote(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["seed", "--cases", "25", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Seeded 25 cases" in result.output
    assert db.session.scalar(select(func.count()).select_from(Case)) == 25


def test_existing_agencies_staff_receive_seeded_cases(app: Flask) -> None:
    from casework.cases.scopes import visible_cases
    from casework.policy import Role
    from tests import factories

    agency = factories.make_agency(name="Pilot agency", country="VN")
    worker = factories.make_user(Role.CASEWORKER, agency).user
    factories.make_user(Role.SUPERVISOR, agency)
    db.session.commit()
    seed_cases(300, seed=5)
    mine = db.session.execute(visible_cases(worker)).scalars().all()
    assert mine, "the pilot agency's caseworker was given seeded cases"
    assert all(case.reference.startswith("VN-") for case in mine)
