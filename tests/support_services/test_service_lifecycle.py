"""A service record's status follows its transitions table (written out by hand in
tests/domain/test_transitions.py): an edit may keep the status or make a move the table
allows; any other change is refused at the status field and saves nothing. The edit form
offers only those statuses; recording a session starts a planned service."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from casework.core.extensions import db
from casework.referrals import operations as referral_ops
from casework.services import operations as ops
from casework.services.models import ServiceRecord
from tests.conftest import csrf_token, sign_in_directly
from tests.domain.test_transitions import EXPECTED
from tests.referrals.conftest import World, refer

STATUSES = list(EXPECTED["service"])
REASON = {"discontinued": "lost_contact"}


@pytest.fixture
def accepted(world: World):
    referral = refer(world)
    referral_ops.accept_referral(world.partner.user, referral)
    db.session.commit()
    return referral


def _record(world: World, status: str) -> ServiceRecord:
    record = ops.create_service_record(
        world.partner.user,
        world.case,
        service_type="psychosocial_counselling",
        status=status,
        discontinued_reason=REASON.get(status),
    )
    db.session.commit()
    return record


def _reachable(status: str) -> set[str]:
    return set(EXPECTED["service"][status].values()) - {status}


@pytest.mark.parametrize(("current", "wanted"), list(itertools.product(STATUSES, STATUSES)))
def test_every_status_change(world: World, accepted, current: str, wanted: str) -> None:
    record = _record(world, current)
    values = {
        "service_type": "psychosocial_counselling",
        "status": wanted,
        "discontinued_reason": REASON.get(wanted),
        "notes": "changed",
    }
    if wanted == current or wanted in _reachable(current):
        changed = ops.update_service_record(
            world.partner.user, record, version=record.version, **values
        )
        assert record.status == wanted
        assert "notes" in changed
    else:
        version = record.version
        with pytest.raises(ops.ServiceError) as refused:
            ops.update_service_record(world.partner.user, record, version=version, **values)
        assert refused.value.field == "status"
        assert "cannot go from" in str(refused.value)
        db.session.rollback()
        db.session.refresh(record)
        assert (record.status, record.version, record.notes) == (current, version, None)


def test_a_new_record_may_start_in_any_status(world: World, accepted) -> None:
    assert [_record(world, status).status for status in STATUSES] == STATUSES


@pytest.mark.parametrize("current", STATUSES)
def test_the_edit_form_offers_only_the_allowed_statuses(
    world: World, accepted, app, current: str
) -> None:
    record = _record(world, current)
    client = app.test_client()
    sign_in_directly(client, world.partner)
    page = client.get(f"/services/{record.id}/edit").get_data(as_text=True)
    offered = {
        code for code in STATUSES if f'<option value="{code}"' in page.replace(" selected", "")
    }
    assert offered == {current} | _reachable(current)


def test_a_crafted_move_is_refused_on_the_page(world: World, accepted, app) -> None:
    record = _record(world, "completed")
    client = app.test_client()
    sign_in_directly(client, world.partner)
    path = f"/services/{record.id}/edit"
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "service_type": "psychosocial_counselling",
            "status": "planned",
            "version": str(record.version),
        },
    )
    assert response.status_code == 422
    assert "A service record cannot go from Completed to Planned." in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(ServiceRecord, record.id).status == "completed"


@pytest.mark.parametrize(
    ("current", "after"), [("planned", "in_progress"), ("completed", "completed")]
)
def test_a_session_starts_only_a_planned_service(
    world: World, accepted, current: str, after: str
) -> None:
    record = _record(world, current)
    ops.record_session(
        world.partner.user,
        record,
        held_on=date(2026, 4, 1),
        duration_minutes=50,
        counsellor_id=str(world.partner.user.id),
        modality="video",
    )
    assert record.status == after
    assert (record.start_on is not None) is (current == "planned")
