"""The duplicate check at registration (decision 0055): the registering user sees only the
matching cases they may open; a match in another agency, found when the case is saved,
becomes a task for that agency's supervisors; nothing about it reaches the registering user."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from casework.audit.models import AuditEvent
from casework.cases.models import Case, PossibleDuplicate
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.notifications.models import Notification
from casework.policy import Role
from tests import factories
from tests.cases.helpers import post_registration, register


def _count_cases() -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count()).select_from(Case)))


def _token(html: str) -> str:
    match = re.search(r'name="duplicates_seen" value="([0-9a-f]+)"', html)
    assert match, "no 'register anyway' button"
    return match.group(1)


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*>', "", html)


def test_same_document_in_own_case_shows_the_case_then_registering_anyway_works(
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


def test_a_colleagues_case_makes_no_difference_to_a_caseworker(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    colleague = factories.make_user(Role.CASEWORKER, agencies.a).user
    existing = factories.make_case(
        agencies.a, assigned_to=colleague, full_name="Lan Nguyen Thi", date_of_birth="2001-02-03"
    )
    db.session.commit()
    response = post_registration(client)
    assert response.status_code == 302  # saved at once: the colleague's case is not looked at
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert existing.reference not in html
    assert "may already be registered" not in html
    # Own-agency matches make no task: the supervisor already sees both cases.
    assert db.session.scalar(select(func.count()).select_from(PossibleDuplicate)) == 0


def test_a_supervisor_sees_every_case_of_their_agency_they_may_open(login_as, agencies) -> None:
    client, _ = login_as(Role.SUPERVISOR, agency=agencies.a)
    colleague = factories.make_user(Role.CASEWORKER, agencies.a).user
    existing = factories.make_case(
        agencies.a, assigned_to=colleague, full_name="Lan Nguyen Thi", date_of_birth="2001-02-03"
    )
    db.session.commit()
    html = post_registration(client).get_data(as_text=True)
    assert f'href="/cases/{existing.id}"' in html


# One registration form probed twice (its one-time submission token stays the same, as when
# the same form is sent again with another date of birth).
PROBED_FORM = "probe-form-submission-token-0001"


def _probe(client: Any, date_of_birth: str) -> Any:
    return post_registration(client, date_of_birth=date_of_birth, submission=PROBED_FORM)


def test_another_agencys_case_changes_nothing_the_registering_user_can_observe(
    login_as, agencies
) -> None:
    """The oracle of issue 12: an own-agency anchor document keeps the form from saving, and
    the probe (name + date of birth) must not change the page whether or not it matches a
    case in another agency, in another country."""
    client, _account = login_as(Role.SUPERVISOR, agency=agencies.a)
    factories.make_case(agencies.a, full_name="Anchor", documents=(("passport", "C1234567"),))
    other_worker = factories.make_user(Role.CASEWORKER, agencies.b).user
    factories.make_case(
        agencies.b,
        assigned_to=other_worker,
        full_name="NGUYEN THI LAN",
        date_of_birth="2001-02-03",
        phone="+855 99 888 777",
    )
    db.session.commit()
    matching = _probe(client, "2001-02-03")
    missing = _probe(client, "2001-02-04")
    assert matching.status_code == missing.status_code == 200
    page_matching = _without_csrf(matching.get_data(as_text=True)).replace("2001-02-03", "DOB")
    page_missing = _without_csrf(missing.get_data(as_text=True)).replace("2001-02-04", "DOB")
    assert page_matching == page_missing  # the same page, the same hidden values
    assert "another agency" not in page_matching
    assert _count_cases() == 2


def test_a_match_in_another_agency_becomes_a_task_for_its_supervisors(
    login_as, agencies, app
) -> None:
    client, account = login_as(Role.SUPERVISOR, agency=agencies.a)
    holder = factories.make_user(Role.SUPERVISOR, agencies.b, email="sup.b@agency-b.example")
    other_worker = factories.make_user(Role.CASEWORKER, agencies.b).user
    existing = factories.make_case(
        agencies.b,
        assigned_to=other_worker,
        full_name="NGUYEN THI LAN",
        date_of_birth="2001-02-03",
    )
    db.session.commit()
    sent_before = len(app.extensions.setdefault("casework_mail_sent", []))
    response = post_registration(client, **{"documents-0-number": "", "documents-0-doc_type": ""})
    assert response.status_code == 302  # saved at once, as with no match
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    for secret in (
        existing.reference,
        str(existing.id),
        "may already be registered",
        "possible match",
    ):
        assert secret not in page, secret
    new_case = db.session.scalars(select(Case).where(Case.agency_id == agencies.a.id)).one()
    found = db.session.scalars(select(PossibleDuplicate)).one()
    assert (found.case_id, found.registered_case_id, found.registering_agency_id) == (
        existing.id,
        new_case.id,
        agencies.a.id,
    )
    # The holding agency's supervisors: a notification (and its e-mail) and a task.
    notes = db.session.scalars(select(Notification)).all()
    assert [(n.user_id, n.kind, n.case_reference) for n in notes] == [
        (holder.user.id, "possible_duplicate", existing.reference)
    ]
    mails = app.extensions["casework_mail_sent"][sent_before:]
    assert [m.address for m in mails] == ["sup.b@agency-b.example"]
    assert "NGUYEN" not in str(mails)
    # Nothing for the registering user.
    assert not db.session.scalars(
        select(Notification).where(Notification.user_id == account.user.id)
    ).all()
    # The task, the page and closing it.
    from tests.conftest import sign_in

    holder_client = app.test_client()
    sign_in(holder_client, holder)
    dashboard = holder_client.get("/").get_data(as_text=True)
    assert "A case registered by Agency A on" in dashboard
    assert existing.reference in dashboard
    page = holder_client.get(f"/cases/possible-duplicates/{found.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert account.user.email in html  # whom to contact
    assert new_case.reference not in html
    assert "Nguyễn" not in html
    # Nobody else may open it: the registering supervisor gets the same 404 as a missing one.
    assert client.get(f"/cases/possible-duplicates/{found.id}").status_code == 404
    from tests.conftest import csrf_token

    token = csrf_token(holder_client, f"/cases/possible-duplicates/{found.id}")
    answer = holder_client.post(
        f"/cases/possible-duplicates/{found.id}",
        data={"csrf_token": token, "outcome": "contacted"},
    )
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(PossibleDuplicate, found.id).outcome == "contacted"
    assert "A case registered by Agency A" not in holder_client.get("/").get_data(as_text=True)
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("case.possible_duplicate%"))
    ).all()
    assert events == ["case.possible_duplicate", "case.possible_duplicate_handled"]


def test_a_case_whose_registration_consent_was_withdrawn_matches_nothing(
    login_as, agencies
) -> None:
    client, _account = login_as(Role.SUPERVISOR, agency=agencies.a)
    factories.make_user(Role.SUPERVISOR, agencies.b)
    own = factories.make_case(agencies.a, documents=(("passport", "C1234567"),))
    elsewhere = factories.make_case(
        agencies.b, full_name="Nguyễn Thị Lan", date_of_birth="2001-02-03"
    )
    for case in (own, elsewhere):
        consent = factories.make_consent(case, "registration")
        consent.withdrawn_at = utcnow()
    db.session.commit()
    register(client)  # no warning about the own case: saved at once
    assert db.session.scalar(select(func.count()).select_from(PossibleDuplicate)) == 0
    # Given again: it matches again.
    factories.make_consent(elsewhere, "registration")
    db.session.commit()
    no_document = {"documents-0-number": "", "documents-0-doc_type": ""}
    # (The case just registered is the supervisor's own: shown, then registered anyway.)
    token = _token(post_registration(client, **no_document).get_data(as_text=True))
    register(client, duplicates_seen=token, **no_document)
    assert db.session.scalar(select(func.count()).select_from(PossibleDuplicate)) == 1


def test_a_stale_or_forged_acknowledgement_shows_the_warning_again(login_as, agencies) -> None:
    client, account = login_as(Role.CASEWORKER, agency=agencies.a)
    factories.make_case(agencies.a, assigned_to=account.user, documents=(("passport", "C1234567"),))
    db.session.commit()
    token = _token(post_registration(client).get_data(as_text=True))
    # A new match the user may open appears meanwhile: the old acknowledgement does not cover it.
    factories.make_case(
        agencies.a, assigned_to=account.user, full_name="Nguyễn Thị Lan", date_of_birth="2001-02-03"
    )
    db.session.commit()
    response = post_registration(client, duplicates_seen=token)
    assert response.status_code == 200
    assert "This person may already be registered" in response.get_data(as_text=True)
    assert post_registration(client, duplicates_seen="0" * 32).status_code == 200
    assert _count_cases() == 2


def test_checks_without_a_save_are_throttled_audited_and_alert_the_supervisor(
    login_as, agencies, app
) -> None:
    app.config["DUPLICATE_CHECK_LIMIT"] = "3 per hour"
    try:
        client, account = login_as(Role.CASEWORKER, agency=agencies.a)
        supervisor = factories.make_user(Role.SUPERVISOR, agencies.a)
        factories.make_case(
            agencies.a, assigned_to=account.user, documents=(("passport", "C1234567"),)
        )
        db.session.commit()
        for _attempt in range(3):
            assert post_registration(client).status_code == 200
        refused = post_registration(client)
        assert refused.status_code == 429
        html = refused.get_data(as_text=True)
        assert "This person may already be registered" not in html
        assert 'value="Nguyễn Thị Lan"' in html  # the form is kept
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_id == account.user.id)
        ).all()
        assert actions.count("case.duplicate_checks_throttled") == 1
        assert actions.count("case.duplicate_check_refused") == 1
        notes = db.session.scalars(select(Notification)).all()
        assert [(n.user_id, n.kind) for n in notes] == [
            (supervisor.user.id, "duplicate_checks_throttled")
        ]
        from tests.conftest import sign_in

        supervisor_client = app.test_client()
        sign_in(supervisor_client, supervisor)
        dashboard = supervisor_client.get("/").get_data(as_text=True)
        assert "checked many registrations without saving one" in dashboard
        assert account.user.email in dashboard
        assert _count_cases() == 1
    finally:
        app.config["DUPLICATE_CHECK_LIMIT"] = "10 per hour;30 per day"
