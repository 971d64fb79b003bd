"""A referral's coded reason (HTCDS cas_ReasonForOutgoingReferral / Incoming) and the named
receiving caseworker (cas_ReferredPrimaryCaseWorker): on the forms, checked by the
operations whatever a form sent, shown on the referral page to both sides."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.core.extensions import db
from casework.referrals import operations as ops
from casework.referrals.models import Referral
from tests.conftest import csrf_token, sign_in_directly
from tests.referrals.conftest import World, refer


def _client(app, account):
    client = app.test_client()
    sign_in_directly(client, account)
    return client


def _post(client, path: str, data: dict, token_path: str | None = None):
    token = csrf_token(client, token_path or path)
    return client.post(path, data={**data, "csrf_token": token})


def test_the_coded_reason_is_sent_and_shown(world: World, app) -> None:
    client = _client(app, world.caseworker)
    response = _post(
        client,
        f"/referrals/new/{world.case.id}",
        {
            "to_agency_id": str(world.ngo.id),
            "services": "psychosocial_counselling",
            "urgency": "routine",
            "reason_code": "MigrationOrChangeOfLocation",
            "reason": "Moving to Phnom Penh",
            "shared_groups": "trafficking_context",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    referral = db.session.scalars(select(Referral)).one()
    assert referral.reason_code == "MigrationOrChangeOfLocation"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Migration or change of location" in page


def test_a_reason_not_on_the_list_is_refused(world: World) -> None:
    with pytest.raises(ops.ReferralError) as refused:
        refer(world, reason_code="Bored")
    assert refused.value.field == "reason_code"


def test_the_receiver_names_who_works_with_the_person(world: World, app) -> None:
    referral = refer(world)
    db.session.commit()
    page = f"/referrals/{referral.id}"
    partner = _client(app, world.partner)
    shown = partner.get(page).get_data(as_text=True)
    assert "Who will work with the person" in shown
    # Another agency's staff cannot be named, whatever the form sent.
    foreign = _post(
        partner,
        f"{page}/accept",
        {"receiving_caseworker_id": str(world.caseworker.user.id)},
        page,
    )
    assert foreign.status_code == 422
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == "pending"

    accepted = _post(
        partner, f"{page}/accept", {"receiving_caseworker_id": str(world.partner.user.id)}, page
    )
    assert accepted.status_code == 303
    db.session.expire_all()
    stored = db.session.get(Referral, referral.id)
    assert (stored.status, stored.receiving_caseworker_id) == ("accepted", world.partner.user.id)
    sender = _client(app, world.caseworker).get(page).get_data(as_text=True)
    assert world.partner.user.name in sender


def test_the_operation_refuses_a_user_of_another_agency(world: World) -> None:
    referral = refer(world)
    with pytest.raises(ops.ReferralError):
        ops.accept_referral(world.partner.user, referral, caseworker_id=world.legal_partner.user.id)
