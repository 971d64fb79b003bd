"""The top of the case page (decision 0115): the overview, the action bar and the jump links,
all derived from the declared panels, each fact and action only for whom may see or take it."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Flask

from casework.cases.lifecycle.erasure import erase_case
from casework.cases.panels import declared
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.policy import Role
from casework.services.models import CounsellingSession, ServiceRecord
from tests import factories
from tests.conftest import sign_in_directly


def _page(app: Flask, account: factories.Account, case_id: object) -> str:
    client = app.test_client()
    sign_in_directly(client, account)
    response = client.get(f"/cases/{case_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _part(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def _overview(html: str) -> str:
    return _part(html, 'aria-labelledby="overview-title"', "</section>")


def _action_bar(html: str) -> list[str]:
    bar = _part(html, 'class="case-actions', "</nav>")
    return [label.strip() for label in re.findall(r"<a [^>]*>([^<]+)</a>", bar)]


def _counselling(case: object, agency: object, *, flags: list[str], next_on: date) -> None:
    record = ServiceRecord(
        case_id=case.id,  # type: ignore[attr-defined]
        provider_agency_id=agency.id,  # type: ignore[attr-defined]
        service_type="psychosocial_counselling",
        status="in_progress",
    )
    db.session.add(record)
    db.session.flush()
    session = CounsellingSession(
        service_id=record.id,
        case_id=case.id,  # type: ignore[attr-defined]
        held_on=utcnow().date() - timedelta(days=3),
        duration_minutes=50,
        modality="in_person",
        risk_flags=flags,
        next_appointment_on=next_on,
    )
    db.session.add(session)
    db.session.flush()


def test_the_owner_sees_who_what_and_when_at_the_top(app: Flask) -> None:
    worker = factories.make_user(Role.CASEWORKER)
    agency = worker.user.agency
    case = factories.make_case(
        agency,
        assigned_to=worker.user,
        full_name="Nguyen Thi Hoa",
        risk_level="high",
        date_of_birth="2000-01-15",
    )
    case.person.languages = "Vietnamese, Khmer"
    factories.make_consent(case)
    shelter = factories.make_agency(name="Safe Shelter")
    factories.make_referral(case, shelter, status="accepted", urgency="urgent")
    next_on = utcnow().date() + timedelta(days=2)
    _counselling(case, agency, flags=["self_harm"], next_on=next_on)
    db.session.commit()

    overview = _overview(_page(app, worker, case.id))
    assert "Nguyen Thi Hoa" in overview
    assert "Vietnamese, Khmer" in overview
    assert "High" in overview
    assert "Safe Shelter" in overview
    assert "Urgent" in overview
    assert "Psychosocial counselling" in overview or "counselling" in overview.lower()
    assert "Next appointment" in overview
    assert "None booked" not in overview
    assert "Last contact" in overview
    assert "None recorded" not in overview
    age = str(utcnow().date().year - 2000 - (1 if (utcnow().month, utcnow().day) < (1, 15) else 0))
    assert age in overview


def test_the_action_bar_offers_what_the_policy_and_the_case_allow(app: Flask) -> None:
    worker = factories.make_user(Role.CASEWORKER)
    case = factories.make_case(worker.user.agency, assigned_to=worker.user)
    factories.make_consent(case)
    db.session.commit()
    bar = _action_bar(_page(app, worker, case.id))
    for label in (
        "Edit case",
        "Add a note",
        "Record a consent",
        "Attach a file",
        "Request closure",
        "Refer to another agency",
        "Record a service",
    ):
        assert label in bar
    assert bar[-1] == "Printable summary"


def test_a_closed_or_erased_case_offers_no_action(app: Flask) -> None:
    supervisor = factories.make_user(Role.SUPERVISOR)
    closed = factories.make_case(supervisor.user.agency, status="Closed")
    closed.closure_reason, closed.closed_at = "goals_met", utcnow()
    erased = factories.make_case(supervisor.user.agency, status="Closed", full_name="Gone Person")
    erased.closure_reason, erased.closed_at = "goals_met", utcnow()
    db.session.flush()
    erase_case(None, erased, reason="retention")
    db.session.commit()
    assert _action_bar(_page(app, supervisor, closed.id)) == ["Printable summary"]
    html = _page(app, supervisor, erased.id)
    assert _action_bar(html) == ["Printable summary"]
    assert "Gone Person" not in html


def test_a_partner_sees_only_what_its_referral_shares(app: Flask) -> None:
    home = factories.make_agency()
    partner_agency = factories.make_agency(name="Clinic Partner")
    partner = factories.make_user(Role.PARTNER, partner_agency)
    case = factories.make_case(home, full_name="Hidden Name", risk_level="critical")
    factories.make_consent(case)
    factories.make_referral(
        case, partner_agency, status="accepted", shared_groups=("trafficking_context",)
    )
    other = factories.make_agency(name="Other Shelter")
    factories.make_referral(case, other, status="accepted")
    db.session.commit()
    html = _page(app, partner, case.id)
    overview = _overview(html)
    assert "Hidden Name" not in html
    assert "Critical" not in overview  # the health group is not shared
    assert "Other Shelter" not in html  # another agency's referral is not the partner's
    assert "No current consent" not in overview  # the owner's alerts stay with the owner
    bar = _action_bar(html)
    assert "Edit case" not in bar
    assert "Refer to another agency" not in bar
    assert "Record a service" in bar  # its own service to the person


def test_a_partner_shown_the_identity_group_sees_the_name(app: Flask) -> None:
    home = factories.make_agency()
    partner_agency = factories.make_agency()
    partner = factories.make_user(Role.PARTNER, partner_agency)
    case = factories.make_case(home, full_name="Shared Name")
    factories.make_consent(case)
    factories.make_referral(
        case, partner_agency, status="accepted", shared_groups=("identity_contact",)
    )
    db.session.commit()
    assert "Shared Name" in _overview(_page(app, partner, case.id))


def test_the_jump_links_are_the_panels_shown(app: Flask) -> None:
    supervisor = factories.make_user(Role.SUPERVISOR)
    case = factories.make_case(supervisor.user.agency)
    factories.make_consent(case)
    db.session.commit()
    html = _page(app, supervisor, case.id)
    links = re.findall(
        r'<a href="#(section-[a-z_]+)">', _part(html, "Sections of this case", "</nav>")
    )
    with app.app_context():
        titled = [p for p in declared() if p.title is not None and p.column == "main"]
    assert links[: len(titled)] == [p.anchor for p in titled]
    assert links[-1] == "section-timeline"
    for anchor in links:
        assert f'id="{anchor}"' in html
