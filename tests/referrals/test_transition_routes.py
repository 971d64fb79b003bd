"""Every referral action through its route, from every status: it works exactly where the
transitions table (written out by hand in tests/domain/test_transitions.py) allows it, and
anywhere else the page says why (409) and nothing changes. Never a server error.

"expired (not recorded)" is a pending referral past its deadline before the daily command
records it: people see it, and the table treats it, as expired.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from casework.core.db import utcnow
from casework.core.extensions import db
from casework.referrals import operations as ops
from casework.referrals.models import Referral
from tests import factories
from tests.conftest import csrf_token, sign_in_directly
from tests.domain.test_transitions import EXPECTED
from tests.referrals.conftest import World

ACTIONS = ("accept", "decline", "complete", "revoke")
MESSAGES = {
    "accept": "This referral has already been answered.",
    "decline": "This referral has already been answered.",
    "complete": "Only an accepted referral can be completed.",
    "revoke": "Only a pending or accepted referral can be revoked.",
}
EXPIRED_MESSAGE = "This referral expired without an answer."


def _in_state(world: World, app: Any, state: str) -> Referral:
    """A referral of a case of its own (one open referral per case and agency) in `state`."""
    case = factories.make_case(world.police, assigned_to=world.caseworker.user)
    factories.make_consent(case, "sharing", agency=world.ngo)
    referral = ops.create_referral(
        world.caseworker.user,
        case,
        to_agency_id=world.ngo.id,
        services=["psychosocial_counselling"],
        urgency="routine",
        reason="Counselling",
        shared_groups=["trafficking_context"],
    )
    partner, sender = world.partner.user, world.caseworker.user
    if state in {"accepted", "completed"}:
        ops.accept_referral(partner, referral)
    if state == "completed":
        ops.complete_referral(partner, referral)
    if state == "declined":
        ops.decline_referral(partner, referral, reason="No counsellor free")
    if state == "revoked":
        ops.revoke_referral(sender, referral)
    if state.startswith("expired"):
        referral.created_at = utcnow() - timedelta(days=app.config["REFERRAL_EXPIRY_DAYS"] + 1)
        if state == "expired":
            assert ops.expire_referral(referral)
    db.session.commit()
    assert referral.effective_status == state.split(" ")[0]
    return referral


def _act(client: FlaskClient, referral: Referral, action: str) -> Any:
    """POST the action as a person would (the token from a form page the actor may open)."""
    path = f"/referrals/{referral.id}/{action}"
    form_page = path if action != "accept" else f"/referrals/{referral.id}/decline"
    data = {"csrf_token": csrf_token(client, form_page)}
    if action == "decline":
        data["reason"] = "No counsellor free"
    return client.post(path, data=data)


STATES = ["pending", "accepted", "declined", "completed", "revoked", "expired"]


@pytest.mark.parametrize("state", [*STATES, "expired (not recorded)"])
def test_each_action_from_each_status(world: World, app: Any, state: str) -> None:
    clients: dict[str, FlaskClient] = {}

    def client_for(action: str) -> FlaskClient:
        account = world.caseworker if action == "revoke" else world.partner
        if account.user.email not in clients:
            clients[account.user.email] = app.test_client()
            sign_in_directly(clients[account.user.email], account)
        return clients[account.user.email]

    row = EXPECTED["referral"][state.split(" ")[0]]
    for action in ACTIONS:
        referral = _in_state(world, app, state)
        before = (referral.status, referral.updated_at)
        response = _act(client_for(action), referral, action)
        page = response.get_data(as_text=True)
        db.session.expire_all()
        after = db.session.get(Referral, referral.id)
        assert after is not None
        if action in row:
            assert response.status_code == 303, (state, action, page[:500])
            assert after.status == row[action], (state, action)
        else:
            assert response.status_code == 409, (state, action, response.status_code)
            expected = EXPIRED_MESSAGE if state.startswith("expired") else MESSAGES[action]
            assert expected in page, (state, action)
            assert (after.status, after.updated_at) == before, "a refusal changes nothing"


def test_the_page_offers_exactly_the_actions_the_table_allows(world: World, app: Any) -> None:
    """The buttons on the referral page come from the same table as the operations."""
    partner, sender = app.test_client(), app.test_client()
    sign_in_directly(partner, world.partner)
    sign_in_directly(sender, world.caseworker)
    buttons: dict[str, Callable[[str], bool]] = {
        "accept": lambda page: "Accept referral" in page,
        "decline": lambda page: "Decline referral" in page,
        "complete": lambda page: "Mark as completed" in page,
        "revoke": lambda page: "Revoke referral" in page,
    }
    for state in [*STATES, "expired (not recorded)"]:
        referral = _in_state(world, app, state)
        row = EXPECTED["referral"][state.split(" ")[0]]
        for action, shown in buttons.items():
            client = sender if action == "revoke" else partner
            page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
            assert shown(page) is (action in row), (state, action)
