"""Issue 12, items 8 and 10: what a receiving agency learns about a case ends at its own
referral. Its timeline shows only its own referral's events (never a referral to another
agency, who declined it or that agency's staff), and when its referral ends, access ends for
everyone at the agency together (the reason, the service records)."""

from __future__ import annotations

import pytest
from flask import Flask

from casework.cases.queries import case_timeline
from casework.core.extensions import db
from casework.referrals import operations as ops
from tests import factories
from tests.conftest import sign_in
from tests.referrals.conftest import World, refer


def _declined_elsewhere_then_accepted(world: World) -> None:
    """The case went to the legal clinic first (declined), then to the NGO (accepted)."""
    factories.make_consent(world.case, "sharing", agency=world.legal)
    elsewhere = refer(world, to_agency_id=world.legal.id, services=["legal_aid"])
    ops.decline_referral(world.legal_partner.user, elsewhere, reason="Canary decline reason")
    ours = refer(world)
    ops.accept_referral(world.partner.user, ours)
    db.session.commit()


def test_partner_timeline_holds_only_its_own_referral(world: World) -> None:
    _declined_elsewhere_then_accepted(world)
    kinds = [entry.kind for entry in case_timeline(world.partner.user, world.case)]
    assert sorted(kinds) == ["referral.accepted", "referral.created"]
    actors = {entry.actor_id for entry in case_timeline(world.partner.user, world.case)}
    assert world.legal_partner.user.id not in actors
    # The owning agency still sees both referrals.
    owner_kinds = [e.kind for e in case_timeline(world.caseworker.user, world.case)]
    assert owner_kinds.count("referral.created") == 2
    assert "referral.declined" in owner_kinds


def test_partner_case_page_names_no_other_agency_staff(world: World, app: Flask) -> None:
    _declined_elsewhere_then_accepted(world)
    client = app.test_client()
    sign_in(client, world.partner)
    for path in (f"/cases/{world.case.id}", f"/cases/{world.case.id}/summary"):
        page = client.get(path).get_data(as_text=True)
        assert world.legal_partner.user.name not in page
        assert "declined" not in page.lower()


# ---- item 10: when the referral ends, access ends for everyone at the receiving agency -------


def _served_then(world: World, end: str) -> tuple[object, object]:
    """The NGO accepted the referral and recorded a service; then the referral ended."""
    from casework.services import operations as service_ops

    referral = refer(world)
    ops.accept_referral(world.partner.user, referral)
    record = service_ops.create_service_record(
        world.partner.user,
        world.case,
        service_type="psychosocial_counselling",
        status="in_progress",
    )
    if end == "completed":
        ops.complete_referral(world.partner.user, referral)
    else:
        ops.revoke_referral(world.caseworker.user, referral)
    db.session.commit()
    return referral, record


def test_referral_reason_is_shown_to_the_receiver_only_while_it_is_live(
    world: World, app: Flask
) -> None:
    referral = refer(world)
    db.session.commit()
    reason = "Canary reason: nightmares since rescue"
    for account in (world.partner, world.ngo_supervisor):
        client = app.test_client()
        sign_in(client, account)
        assert reason in client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    ops.accept_referral(world.partner.user, referral)
    ops.complete_referral(world.partner.user, referral)
    db.session.commit()
    for account in (world.partner, world.ngo_supervisor):
        client = app.test_client()
        sign_in(client, account)
        response = client.get(f"/referrals/{referral.id}")
        assert response.status_code == 200, "the referral stays in the agency's records"
        assert reason not in response.get_data(as_text=True)
    sender = app.test_client()
    sign_in(sender, world.caseworker)
    assert reason in sender.get(f"/referrals/{referral.id}").get_data(as_text=True)


@pytest.mark.parametrize("end", ["completed", "revoked"])
def test_receiving_supervisor_cannot_edit_service_records_after_the_referral(
    world: World, app: Flask, end: str
) -> None:
    _, record = _served_then(world, end)
    for account in (world.partner, world.ngo_supervisor):
        client = app.test_client()
        sign_in(client, account)
        assert client.get(f"/services/{record.id}").status_code == 200, "still readable"  # type: ignore[attr-defined]
        assert client.get(f"/services/{record.id}/edit").status_code == 404  # type: ignore[attr-defined]
        assert client.get(f"/services/{record.id}/sessions/new").status_code == 404  # type: ignore[attr-defined]
