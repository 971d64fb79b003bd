"""Service records, counselling sessions, the support plan and dashboard tasks (the issue's
tests/services; named support_services because tests/services.py already exists)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casework.core.db import utcnow
from casework.core.extensions import db
from casework.main.tasks import dashboard_tasks
from casework.notifications.mailer import MEMORY_OUTBOX
from casework.notifications.models import Notification
from casework.policy import PermissionDenied
from casework.referrals import operations as referral_ops
from casework.services import operations as ops
from casework.services.models import ServiceRecord, SupportPlan
from tests import factories
from tests.conftest import csrf_token, sign_in_directly
from tests.referrals.conftest import World, refer


def _client(app, account):
    client = app.test_client()
    sign_in_directly(client, account)
    return client


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def accepted(world: World):
    referral = refer(world)
    referral_ops.accept_referral(world.partner.user, referral)
    db.session.commit()
    return referral


def _service(world: World, **values):
    defaults = {"service_type": "psychosocial_counselling", "status": "planned"}
    return ops.create_service_record(world.partner.user, world.case, **{**defaults, **values})


def test_partner_records_a_service_under_the_referral(world: World, accepted) -> None:
    record = _service(world, notes="Canary notes", due_on=date(2026, 5, 1))
    assert record.provider_agency_id == world.ngo.id
    assert record.referral_id == accepted.id
    assert record.notes == "Canary notes"
    raw = db.session.execute(select(ServiceRecord.notes_ct)).scalar()
    assert b"Canary" not in raw


def test_service_input_is_checked(world: World, accepted) -> None:
    with pytest.raises(ops.ServiceError) as refused:
        _service(world, status="discontinued")
    assert refused.value.field == "discontinued_reason"
    with pytest.raises(ops.ServiceError) as refused:
        _service(world, start_on=date(2026, 5, 2), end_on=date(2026, 5, 1))
    assert refused.value.field == "end_on"
    with pytest.raises(ops.ServiceError):
        _service(world, service_type="magic")
    record = _service(world, status="discontinued", discontinued_reason="lost_contact")
    assert record.discontinued_reason == "lost_contact"


def test_a_service_is_never_due_before_it_starts(world: World, accepted, app) -> None:
    """One rule for the form and the operation: a due date before the start date would be an
    overdue task the moment it is saved."""
    with pytest.raises(ops.ServiceError) as refused:
        _service(world, start_on=date(2026, 5, 2), due_on=date(2026, 5, 1))
    assert refused.value.field == "due_on"
    assert "due date cannot be before the start date" in str(refused.value)
    assert _service(world, start_on=date(2026, 5, 2), due_on=date(2026, 5, 2)).due_on

    client = _client(app, world.partner)
    path = f"/services/new/{world.case.id}"
    before = db.session.query(ServiceRecord).count()
    answer = client.post(
        path,
        data={
            "service_type": "psychosocial_counselling",
            "status": "planned",
            "start_on": "2026-05-02",
            "due_on": "2026-05-01",
            "csrf_token": csrf_token(client, path),
        },
    )
    assert answer.status_code == 422
    page = _text(answer)
    assert 'id="due_on-error"' in page
    assert "The due date cannot be before the start date." in page
    assert db.session.query(ServiceRecord).count() == before


def test_no_service_without_an_open_referral(world: World) -> None:
    with pytest.raises(PermissionDenied):
        _service(world)


def test_concurrent_update_is_told_not_overwritten(world: World, accepted, app, login_as) -> None:
    record = _service(world, notes="first")
    db.session.commit()
    colleague = login_as("partner", agency=world.ngo)[0]
    first = _client(app, world.partner)
    path = f"/services/{record.id}/edit"
    token_a, token_b = csrf_token(first, path), csrf_token(colleague, path)
    base = {
        "service_type": "psychosocial_counselling",
        "status": "in_progress",
        "version": "1",
    }
    saved = first.post(path, data={**base, "notes": "A's notes", "csrf_token": token_a})
    assert saved.status_code == 303
    clash = colleague.post(path, data={**base, "notes": "B's notes", "csrf_token": token_b})
    assert clash.status_code == 409
    page = _text(clash)
    assert "Someone else saved this service record" in page
    assert "A&#39;s notes" in page, "the other person's version is shown"
    assert "B&#39;s notes" in page, "what was typed is kept in the form"
    assert 'name="version" type="hidden" value="2"' in page
    db.session.expire_all()
    record = db.session.get(ServiceRecord, record.id)
    assert (record.notes, record.version) == ("A's notes", 2)
    # saving again from the refreshed form overwrites knowingly
    token_b = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    again = colleague.post(
        path, data={**base, "version": "2", "notes": "B's notes", "csrf_token": token_b}
    )
    assert again.status_code == 303
    db.session.expire_all()
    assert db.session.get(ServiceRecord, record.id).notes == "B's notes"


def test_stale_version_in_the_operation(world: World, accepted) -> None:
    record = _service(world)
    values = {"service_type": "psychosocial_counselling", "status": "in_progress"}
    assert ops.update_service_record(world.partner.user, record, version=1, **values) == ["status"]
    with pytest.raises(ops.StaleRecord):
        ops.update_service_record(world.partner.user, record, version=1, **values)


def test_counselling_sessions_and_risk_alert(world: World, accepted, app) -> None:
    already_sent = len(app.extensions.get(MEMORY_OUTBOX, []))
    record = _service(world)
    session = ops.record_session(
        world.partner.user,
        record,
        held_on=date(2026, 4, 1),
        duration_minutes=50,
        counsellor_id=str(world.partner.user.id),
        modality="video",
        notes="Canary session notes",
        risk_flags=["threat_from_traffickers"],
        next_appointment_on=date(2026, 4, 8),
    )
    db.session.commit()
    assert record.status == "in_progress"
    assert session.notes == "Canary session notes"
    [alert] = db.session.execute(
        select(Notification).where(Notification.kind == "risk_alert")
    ).scalars()
    assert alert.user_id == world.caseworker.user.id
    assert alert.link == f"/services/{record.id}"
    [mail] = [m for m in app.extensions[MEMORY_OUTBOX][already_sent:] if m.kind == "risk_alert"]
    assert world.case.reference in mail.body
    for secret in ("Canary", "traffickers", "Sreymom", "threat"):
        assert secret not in mail.body + mail.subject
    with pytest.raises(ops.ServiceError) as refused:
        ops.record_session(
            world.partner.user,
            record,
            held_on=date(2026, 4, 1),
            duration_minutes=50,
            counsellor_id=str(world.caseworker.user.id),  # not of the providing agency
            modality="video",
        )
    assert refused.value.field == "counsellor_id"
    legal = _service(world, service_type="psychosocial_counselling")
    legal.service_type = "legal_aid"
    with pytest.raises(ops.ServiceError, match="counselling service only"):
        ops.record_session(
            world.partner.user,
            legal,
            held_on=date(2026, 4, 1),
            duration_minutes=50,
            counsellor_id=str(world.partner.user.id),
            modality="phone",
        )


def test_support_plan(world: World, app) -> None:
    plan = ops.save_support_plan(
        world.caseworker.user,
        world.case,
        objectives="Canary objectives",
        planned_end_on=date(2026, 12, 31),
        actual_end_on=None,
        service_types=["shelter", "psychosocial_counselling"],
    )
    assert plan.service_types == ["psychosocial_counselling", "shelter"]
    with pytest.raises(PermissionDenied):
        ops.save_support_plan(
            world.partner.user,
            world.case,
            objectives="x",
            planned_end_on=None,
            actual_end_on=None,
            service_types=[],
        )
    db.session.commit()
    client = _client(app, world.caseworker)
    path = f"/services/plan/{world.case.id}"
    assert "Canary objectives" in _text(client.get(path))
    token = csrf_token(client, path)
    response = client.post(
        path,
        data={"objectives": "Changed", "service_types": "shelter", "csrf_token": token},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.execute(select(SupportPlan)).scalar_one().objectives == "Changed"


def test_dashboard_tasks(world: World, accepted, app) -> None:
    today = utcnow().date()
    overdue = _service(world, due_on=today - timedelta(days=2))
    _service(world, due_on=today + timedelta(days=2))  # not yet due
    ops.record_session(
        world.partner.user,
        overdue,
        held_on=today - timedelta(days=10),
        duration_minutes=45,
        counsellor_id=str(world.partner.user.id),
        modality="in_person",
        next_appointment_on=today - timedelta(days=3),
    )
    factories.make_consent(world.case, "sharing", agency=world.legal)
    waiting = refer(world, to_agency_id=world.legal.id, services=["legal_aid"])
    waiting.created_at = utcnow() - timedelta(days=4)
    db.session.commit()
    partner_tasks = {t.kind for t in dashboard_tasks(world.partner.user)}
    assert partner_tasks == {"service_due", "follow_up"}
    caseworker_tasks = {t.kind for t in dashboard_tasks(world.caseworker.user)}
    assert caseworker_tasks == {"service_due", "follow_up", "referral_waiting"}
    assert [t.kind for t in dashboard_tasks(world.legal_partner.user)] == ["referral_answer"]
    assert dashboard_tasks(world.supervisor.user) != [], "the owning agency's supervisor too"
    # a session on or after the appointment clears the missed follow-up
    ops.record_session(
        world.partner.user,
        overdue,
        held_on=today - timedelta(days=1),
        duration_minutes=45,
        counsellor_id=str(world.partner.user.id),
        modality="phone",
    )
    db.session.commit()
    assert "follow_up" not in {t.kind for t in dashboard_tasks(world.partner.user)}
    page = _text(_client(app, world.partner).get("/"))
    assert "Psychosocial counselling was due" in page
    legal_page = _text(_client(app, world.legal_partner).get("/"))
    assert "Answer this referral from TH Police" in legal_page
