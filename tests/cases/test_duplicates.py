"""The duplicate check at registration: own agency shows the case, another agency only says
that a possible match exists and whom to contact, never whose."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from casework.audit.models import AuditEvent
from casework.cases.models import Case
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.cases.helpers import post_registration


def _count_cases() -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count()).select_from(Case)))


def _token(html: str) -> str:
    match = re.search(r'name="duplicates_seen" value="([0-9a-f]+)"', html)
    assert match, "no 'register anyway' button"
    return match.group(1)


def test_same_document_in_own_agency_shows_the_case_then_registering_anyway_works(
    login_as, agencies
) -> None:
    client, account = login_as(Role.CASEWORKER, agency=agencies.a)
    existing = factories.make_case(
        agencies.a,
        assigned_to=account.user,
        full_name="Other Name",
        documents=(("passport", "c-123 4567"),),
    )
    db.session.commit()
    response = post_registration(client)  # passport C1234567
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "This person may already be registered" in html
    assert f'href="/cases/{existing.id}"' in html
    assert existing.reference in html
    assert 'value="Nguyễn Thị Lan"' in html  # the form is kept
    assert _count_cases() == 1  # nothing saved yet
    # Registering anyway, having seen it:
    response = post_registration(client, duplicates_seen=_token(html))
    assert response.status_code == 302
    assert _count_cases() == 2


def test_a_colleagues_case_is_named_without_a_link(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    colleague = factories.make_user(Role.CASEWORKER, agencies.a).user
    existing = factories.make_case(
        agencies.a, assigned_to=colleague, full_name="Lan Nguyen Thi", date_of_birth="2001-02-03"
    )
    db.session.commit()
    html = post_registration(client).get_data(as_text=True)
    assert existing.reference in html
    assert f'href="/cases/{existing.id}"' not in html
    assert "ask your supervisor" in html


def test_same_name_and_birth_in_another_agency_says_only_whom_to_contact(
    login_as, agencies
) -> None:
    client, account = login_as(Role.CASEWORKER, agency=agencies.a)
    coordinator = factories.make_user(Role.COORDINATOR, email="coordinator@region.example").user
    factories.make_user(Role.COORDINATOR, email="gone@region.example", active=False)
    other_worker = factories.make_user(
        Role.CASEWORKER, agencies.b, email="worker.b@agency-b.example"
    ).user
    existing = factories.make_case(
        agencies.b,
        assigned_to=other_worker,
        full_name="NGUYEN THI LAN",
        date_of_birth="2001-02-03",
        phone="+855 99 888 777",
    )
    db.session.commit()
    response = post_registration(client, **{"documents-0-number": "", "documents-0-doc_type": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A possible match exists in another agency" in html
    assert "coordinator@region.example" in html
    assert coordinator.name in html
    assert "gone@region.example" not in html
    for secret in (
        existing.reference,
        str(existing.id),
        "Agency B",
        "worker.b@agency-b.example",
        other_worker.name,
        "+855 99 888 777",
        "NGUYEN THI LAN",
    ):
        assert secret not in html, secret
    assert _count_cases() == 1
    # The match is audited with the matched case, for the coordination office.
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.possible_duplicate")
    ).one()
    assert (event.actor_id, event.target_id, event.detail) == (
        account.user.id,
        str(existing.id),
        "other_agency",
    )


def test_same_name_with_another_birth_date_is_not_a_match(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    factories.make_case(agencies.b, full_name="Nguyễn Thị Lan", date_of_birth="1999-09-09")
    db.session.commit()
    assert post_registration(client).status_code == 302


def test_a_stale_or_forged_acknowledgement_shows_the_warning_again(login_as, agencies) -> None:
    client, account = login_as(Role.CASEWORKER, agency=agencies.a)
    factories.make_case(agencies.a, assigned_to=account.user, documents=(("passport", "C1234567"),))
    db.session.commit()
    token = _token(post_registration(client).get_data(as_text=True))
    # A new match appears meanwhile: the old acknowledgement does not cover it.
    factories.make_case(agencies.b, full_name="Nguyễn Thị Lan", date_of_birth="2001-02-03")
    db.session.commit()
    response = post_registration(client, duplicates_seen=token)
    assert response.status_code == 200
    assert "A possible match exists in another agency" in response.get_data(as_text=True)
    assert post_registration(client, duplicates_seen="0" * 32).status_code == 200
    assert _count_cases() == 2
