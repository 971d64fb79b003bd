"""The case record's model rules: scoping, referral access, consent, locking, encryption."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm.exc import StaleDataError

from casework.cases.models import Case, Person
from casework.cases.scopes import visible_cases
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.policy import Action, Role, can
from tests import factories


def _ids(query: object) -> set[object]:
    return {case.id for case in db.session.execute(query).scalars()}  # type: ignore[call-overload]


def test_visible_cases_follow_the_policy_for_every_role() -> None:
    agency_a, agency_b = factories.make_agency(), factories.make_agency(country="KH")
    worker = factories.make_user(Role.CASEWORKER, agency_a).user
    other_worker = factories.make_user(Role.CASEWORKER, agency_a).user
    supervisor = factories.make_user(Role.SUPERVISOR, agency_a).user
    partner = factories.make_user(Role.PARTNER, agency_b).user
    coordinator = factories.make_user(Role.COORDINATOR, agency_a).user
    mine = factories.make_case(agency_a, assigned_to=worker)
    theirs = factories.make_case(agency_a, assigned_to=other_worker)
    elsewhere = factories.make_case(agency_b)
    referred = factories.make_case(agency_a, assigned_to=other_worker)
    factories.make_referral(referred, agency_b, status="accepted")
    pending = factories.make_case(agency_a, assigned_to=other_worker)
    factories.make_referral(pending, agency_b, status="pending")

    assert _ids(visible_cases(worker)) == {mine.id}
    assert _ids(visible_cases(supervisor)) == {mine.id, theirs.id, referred.id, pending.id}
    assert _ids(visible_cases(partner)) == {referred.id}
    assert _ids(visible_cases(coordinator)) == set()
    # The object-level rule agrees with the scoped query, case by case.
    for user in (worker, supervisor, partner, coordinator):
        for case in (mine, theirs, elsewhere, referred, pending):
            assert can(user, Action.VIEW_CASE, case) == (case.id in _ids(visible_cases(user)))


def test_withdrawing_the_sharing_consent_ends_the_partners_access_at_once() -> None:
    agency_a, agency_b = factories.make_agency(), factories.make_agency(country="KH")
    partner = factories.make_user(Role.PARTNER, agency_b).user
    case = factories.make_case(agency_a)
    factories.make_referral(case, agency_b, status="accepted")
    assert can(partner, Action.VIEW_CASE, case)
    for consent in case.consents:
        consent.withdrawn_at = utcnow()
    db.session.flush()
    assert not can(partner, Action.VIEW_CASE, case)
    assert _ids(visible_cases(partner)) == set()


def test_a_referral_without_consent_grants_nothing() -> None:
    agency_a, agency_b = factories.make_agency(), factories.make_agency(country="KH")
    partner = factories.make_user(Role.PARTNER, agency_b).user
    case = factories.make_case(agency_a)
    factories.make_referral(case, agency_b, status="accepted", consent=False)
    assert not can(partner, Action.VIEW_CASE, case)
    assert case.shared_groups_for(agency_b.id) == frozenset()


def test_person_fields_are_encrypted_at_rest_and_read_back() -> None:
    case = factories.make_case(full_name="Nguyễn Thị Lan", date_of_birth="2001-02-03")
    db.session.commit()
    raw = db.session.execute(text("SELECT full_name_ct FROM people")).scalar_one()
    assert "Nguyễn".encode() not in raw
    db.session.expire_all()
    person = db.session.execute(select(Person).where(Person.case_id == case.id)).scalar_one()
    assert person.full_name == "Nguyễn Thị Lan"
    assert person.date_of_birth == "2001-02-03"


def test_references_are_sequential_per_country_and_year() -> None:
    thai = factories.make_agency(country="TH")
    first, second = factories.make_case(thai), factories.make_case(thai)
    assert first.reference.startswith("TH-2026-")
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


def test_a_stale_case_update_is_refused() -> None:
    case = factories.make_case()
    db.session.commit()
    assert case.version >= 1  # loaded: this session now holds the current version
    db.session.execute(text("UPDATE cases SET version = version + 1"))
    case.risk_level = "high"
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Case, case.id) is not None


def test_the_policys_field_groups_are_the_vocabularys() -> None:
    from casework.policy import FIELD_GROUPS
    from casework.vocab import SHARED_GROUPS

    assert SHARED_GROUPS.codes == FIELD_GROUPS
