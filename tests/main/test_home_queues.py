"""The home page's queues (issue 16, decision 0116): tasks by urgency, then risk, then age,
with names only where the viewer may see them; a partner's incoming referrals, the most
urgent first; a supervisor's closure requests, unassigned cases and caseload; appointments
of today and this week; snooze and done, audited, for one's own tasks only."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.main.operations import mark_task_done, snooze_task
from casework.main.tasks import dashboard_tasks, upcoming_appointments
from casework.policy import Role
from casework.services import operations as service_ops
from tests import factories
from tests.conftest import csrf_token, sign_in_directly

# The test agencies are Thai (tests/factories.py): the home page counts days in Bangkok.
TODAY = datetime.now(ZoneInfo("Asia/Bangkok")).date()


def _home(app: Flask, account: factories.Account, query: str = "") -> str:
    client = app.test_client()
    sign_in_directly(client, account)
    response = client.get(f"/{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _service(actor: Any, case: Any, *, due_on: date | None = None) -> Any:
    return service_ops.create_service_record(
        actor,
        case,
        service_type="psychosocial_counselling",
        status="in_progress",
        start_on=TODAY - timedelta(days=30),
        due_on=due_on,
    )


def _session(actor: Any, record: Any, *, held_days_ago: int, next_on: date | None) -> None:
    service_ops.record_session(
        actor,
        record,
        held_on=TODAY - timedelta(days=held_days_ago),
        duration_minutes=45,
        counsellor_id=str(actor.id),
        modality="in_person",
        next_appointment_on=next_on,
    )


def _worker_with_cases() -> tuple[factories.Account, dict[str, Any]]:
    worker = factories.make_user(Role.CASEWORKER)
    agency = worker.user.agency
    cases = {}
    for name, risk in (
        ("Low Risk Person", "low"),
        ("Critical Risk Person", "critical"),
        ("Missed Person", "medium"),
    ):
        case = factories.make_case(agency, assigned_to=worker.user, full_name=name, risk_level=risk)
        factories.make_consent(case)
        cases[risk] = case
    # The low-risk service has been due the longest; the critical one since yesterday.
    _service(worker.user, cases["low"], due_on=TODAY - timedelta(days=20))
    _service(worker.user, cases["critical"], due_on=TODAY - timedelta(days=1))
    missed = _service(worker.user, cases["medium"], due_on=TODAY + timedelta(days=30))
    _session(worker.user, missed, held_days_ago=10, next_on=TODAY - timedelta(days=3))
    db.session.commit()
    return worker, cases


def test_a_caseworkers_tasks_come_by_urgency_then_risk_then_age(app: Flask) -> None:
    worker, _cases = _worker_with_cases()
    tasks = dashboard_tasks(worker.user, TODAY)
    assert [(t.kind, t.case.name) for t in tasks] == [
        ("follow_up", "Missed Person"),
        ("service_due", "Critical Risk Person"),
        ("service_due", "Low Risk Person"),
    ]
    html = _home(app, worker)
    positions = [
        html.index(name) for name in ("Missed Person", "Critical Risk Person", "Low Risk Person")
    ]
    assert positions == sorted(positions)
    assert "Risk: Critical" in html


def test_upcoming_appointments_today_and_this_week(app: Flask) -> None:
    worker = factories.make_user(Role.CASEWORKER)
    agency = worker.user.agency
    booked = {}
    for name, offset in (("Today Person", 0), ("Thursday Person", 3), ("Later Person", 10)):
        case = factories.make_case(agency, assigned_to=worker.user, full_name=name)
        record = _service(worker.user, case)
        _session(worker.user, record, held_days_ago=1, next_on=TODAY + timedelta(days=offset))
        booked[name] = offset
    db.session.commit()
    found = [(a.on, a.case.name) for a in upcoming_appointments(worker.user, TODAY)]
    assert found == [(TODAY, "Today Person"), (TODAY + timedelta(days=3), "Thursday Person")]
    html = _home(app, worker)
    section = html.split('id="appointments-heading"', 1)[1].split("</section>", 1)[0]
    assert section.index("Today Person") < section.index("Thursday Person")
    assert "Later Person" not in section


def test_a_partner_sees_incoming_referrals_most_urgent_first_and_no_names(app: Flask) -> None:
    home = factories.make_agency(name="Referring Police")
    partner_agency = factories.make_agency(name="Counselling NGO")
    partner = factories.make_user(Role.PARTNER, partner_agency)
    routine_case = factories.make_case(home, full_name="Routine Secret Name")
    emergency_case = factories.make_case(home, full_name="Emergency Secret Name")
    other_case = factories.make_case(home, full_name="Elsewhere Secret Name")
    for case in (routine_case, emergency_case, other_case):
        factories.make_consent(case)
    routine = factories.make_referral(
        routine_case, partner_agency, urgency="routine", shared_groups=("identity_contact",)
    )
    routine.created_at = utcnow() - timedelta(days=2)
    factories.make_referral(
        emergency_case, partner_agency, urgency="emergency", shared_groups=("identity_contact",)
    )
    factories.make_referral(other_case, factories.make_agency(), urgency="emergency")
    db.session.commit()
    html = _home(app, partner)
    section = html.split('id="incoming-heading"', 1)[1].split("</section>", 1)[0]
    assert section.index(emergency_case.reference) < section.index(routine_case.reference)
    assert other_case.reference not in html
    for name in ("Routine Secret Name", "Emergency Secret Name", "Elsewhere Secret Name"):
        assert name not in html  # a pending referral opens nothing yet
    assert html.index('id="incoming-heading"') < html.index('id="tasks-heading"')


def test_another_agency_never_sees_names_or_cases(app: Flask) -> None:
    worker, cases = _worker_with_cases()
    stranger = factories.make_user(Role.SUPERVISOR)  # another agency's supervisor
    html = _home(app, stranger)
    for case in cases.values():
        assert case.reference not in html
        assert case.person.full_name not in html
    colleague = factories.make_user(Role.CASEWORKER, worker.user.agency)  # not assigned
    db.session.commit()
    html = _home(app, colleague)
    for case in cases.values():
        assert case.reference not in html


def test_a_supervisor_sees_closures_unassigned_cases_and_caseloads(app: Flask) -> None:
    supervisor = factories.make_user(Role.SUPERVISOR)
    agency = supervisor.user.agency
    worker = factories.make_user(Role.CASEWORKER, agency)
    busy = factories.make_case(
        agency, assigned_to=worker.user, risk_level="high", full_name="Closing Person"
    )
    busy.closure_requested_at = utcnow()
    busy.closure_requested_by_id = worker.user.id
    busy.closure_requested_status = "Closed"
    busy.closure_reason = "goals_met"
    factories.make_case(agency, full_name="Low Unassigned", risk_level="low")
    factories.make_case(agency, full_name="Critical Unassigned", risk_level="critical")
    factories.make_case(factories.make_agency(), full_name="Foreign Unassigned")
    db.session.commit()
    html = _home(app, supervisor)
    closures = html.split('id="closures-heading"', 1)[1].split("</section>", 1)[0]
    assert "Closing Person" in closures
    unassigned = html.split('id="unassigned-heading"', 1)[1].split("</section>", 1)[0]
    assert unassigned.index("Critical Unassigned") < unassigned.index("Low Unassigned")
    assert "Foreign Unassigned" not in html
    caseload = html.split('id="caseload-heading"', 1)[1].split("</section>", 1)[0]
    row = re.search(
        re.escape(worker.user.name) + r"</a></th>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)", caseload
    )
    assert row is not None
    assert row.groups() == ("1", "1")
    order = [
        html.index(f'id="{h}"')
        for h in ("tasks-heading", "closures-heading", "unassigned-heading", "caseload-heading")
    ]
    assert order == sorted(order)


def test_snooze_hides_a_task_until_its_day_and_is_audited(app: Flask) -> None:
    worker, _cases = _worker_with_cases()
    first = dashboard_tasks(worker.user, TODAY)[0]
    client = app.test_client()
    sign_in_directly(client, worker)
    until = TODAY + timedelta(days=5)
    response = client.post(
        "/tasks/snooze",
        data={"csrf_token": csrf_token(client, "/"), "key": first.key, "until": until.isoformat()},
    )
    assert response.status_code == 302
    assert first.key not in {t.key for t in dashboard_tasks(worker.user, TODAY)}
    assert first.key in {t.key for t in dashboard_tasks(worker.user, until)}
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "task.snoozed")
    ).scalar_one()
    assert event.actor_id == worker.user.id
    assert event.detail == "follow_up"


def test_done_hides_a_task_for_its_owner_alone(app: Flask) -> None:
    worker, _cases = _worker_with_cases()
    supervisor = factories.make_user(Role.SUPERVISOR, worker.user.agency)
    db.session.commit()
    task = next(t for t in dashboard_tasks(worker.user, TODAY) if t.kind == "service_due")
    client = app.test_client()
    sign_in_directly(client, worker)
    response = client.post(
        "/tasks/done", data={"csrf_token": csrf_token(client, "/"), "key": task.key}
    )
    assert response.status_code == 302
    assert task.key not in {t.key for t in dashboard_tasks(worker.user, TODAY)}
    assert task.key in {t.key for t in dashboard_tasks(supervisor.user, TODAY)}
    assert (
        db.session.execute(select(AuditEvent).where(AuditEvent.action == "task.done"))
        .scalar_one()
        .detail
        == "service_due"
    )


def test_nobody_snoozes_or_ends_a_task_that_is_not_theirs(app: Flask) -> None:
    worker, _cases = _worker_with_cases()
    key = dashboard_tasks(worker.user, TODAY)[0].key
    stranger = factories.make_user(Role.CASEWORKER)
    db.session.commit()
    client = app.test_client()
    sign_in_directly(client, stranger)
    for path, extra in (
        ("/tasks/done", {}),
        ("/tasks/snooze", {"until": str(TODAY + timedelta(days=2))}),
    ):
        response = client.post(
            path, data={"csrf_token": csrf_token(client, "/"), "key": key, **extra}
        )
        assert response.status_code == 404
    assert len(dashboard_tasks(worker.user, TODAY)) == 3


def test_a_snooze_day_must_be_ahead(app: Flask) -> None:
    import pytest

    from casework.main.operations import TaskError

    worker, _cases = _worker_with_cases()
    key = dashboard_tasks(worker.user, TODAY)[0].key
    with pytest.raises(TaskError):
        snooze_task(worker.user, key, TODAY, TODAY)
    with pytest.raises(TaskError):
        snooze_task(worker.user, key, TODAY + timedelta(days=400), TODAY)
    mark_task_done(worker.user, key, TODAY)
    assert len(dashboard_tasks(worker.user, TODAY)) == 2


def test_long_task_lists_are_paged(app: Flask) -> None:
    app.config["PAGE_SIZE"] = 2
    try:
        worker, _cases = _worker_with_cases()
        first = _home(app, worker)
        second = _home(app, worker, "?page=2")
    finally:
        app.config["PAGE_SIZE"] = 25
    assert "Missed Person" in first
    assert "Low Risk Person" not in first.split('id="tasks-heading"', 1)[1].split("</section>")[0]
    assert "Low Risk Person" in second.split('id="tasks-heading"', 1)[1].split("</section>")[0]


def test_empty_queues_say_what_to_do_next(app: Flask) -> None:
    html = _home(app, factories.make_user(Role.CASEWORKER))
    assert "Nothing to do now." in html
    assert "Open your cases" in html
    html = _home(app, factories.make_user(Role.PARTNER))
    assert "No referral is waiting for your answer" in html


def test_today_is_the_agency_s_day(app: Flask) -> None:
    """At 20:30 UTC on 7 December it is already the 8th in Bangkok: the home page's "today"
    (appointments, overdue) is the agency's day, like every date shown."""
    from casework.web.dates import local_today
    from tests.test_dates import EVENING_UTC, _as, _done

    assert local_today(EVENING_UTC) == date(2026, 12, 7)  # no request: UTC
    context, locale = _as(app, factories.make_agency(country="TH"), "en")
    try:
        assert local_today(EVENING_UTC) == date(2026, 12, 8)
    finally:
        _done(context, locale)
