"""Issue 12, item 11: notes carry a category and a referral shares only the notes of the field
groups it shares (never police or case management notes); counselling session notes are
confidential to the counselling agency, which chooses a summary to share."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from casework.cases import operations as case_ops
from casework.cases.models import CaseNote
from casework.cases.operations import CaseInputError
from casework.core.extensions import db
from casework.referrals import operations as referral_ops
from casework.services import operations as service_ops
from tests.conftest import csrf_token, sign_in
from tests.referrals.conftest import World, refer

NOTES = {
    "health_risk": "Canary health note: asthma",
    "trafficking_context": "Canary context note: recruited online",
    "investigation": "Canary police note: statement to the police",
    "case_management": "Canary case management note",
}


def _notes_and_referral(world: World, shared: list[str]) -> None:
    for category, body in NOTES.items():
        case_ops.add_case_note(world.caseworker.user, world.case, body, category)
    referral = refer(world, shared_groups=shared)
    referral_ops.accept_referral(world.partner.user, referral)
    db.session.commit()


@pytest.mark.parametrize(
    ("shared", "readable"),
    [
        (["health_notes"], {"health_risk"}),
        (["trafficking_context"], {"trafficking_context"}),
        (
            ["health_notes", "trafficking_context", "identity_contact", "documents"],
            {"health_risk", "trafficking_context"},
        ),
    ],
)
def test_a_partner_reads_only_the_notes_its_referral_shares(
    world: World, app: Flask, shared: list[str], readable: set[str]
) -> None:
    _notes_and_referral(world, shared)
    for account in (world.partner,):
        client = app.test_client()
        sign_in(client, account)
        for path in (f"/cases/{world.case.id}", f"/cases/{world.case.id}/summary"):
            page = client.get(path).get_data(as_text=True)
            for category, body in NOTES.items():
                assert (body in page) is (category in readable), (path, category)
    owner = app.test_client()
    sign_in(owner, world.caseworker)
    page = owner.get(f"/cases/{world.case.id}").get_data(as_text=True)
    assert all(body in page for body in NOTES.values())


def test_a_note_needs_a_category_from_the_list(world: World, app: Flask) -> None:
    with pytest.raises(CaseInputError):
        case_ops.add_case_note(world.caseworker.user, world.case, "Canary", "police_gossip")
    client = app.test_client()
    sign_in(client, world.caseworker)
    path = f"/cases/{world.case.id}"
    token = csrf_token(client, path)
    response = client.post(
        f"{path}/notes", data={"csrf_token": token, "category": "investigation", "body": "Hi"}
    )
    assert response.status_code == 302
    note = db.session.scalars(select(CaseNote).where(CaseNote.case_id == world.case.id)).one()
    assert note.category == "investigation"
    response = client.post(f"{path}/notes", data={"csrf_token": token, "body": "No category"})
    assert response.status_code == 422


def _session(world: World, **values: Any) -> Any:
    referral = refer(world, shared_groups=["health_notes"])
    referral_ops.accept_referral(world.partner.user, referral)
    record = service_ops.create_service_record(
        world.partner.user,
        world.case,
        service_type="psychosocial_counselling",
        status="in_progress",
    )
    service_ops.record_session(
        world.partner.user,
        record,
        held_on=date(2026, 4, 1),
        duration_minutes=45,
        counsellor_id=str(world.partner.user.id),
        modality="in_person",
        risk_flags=["self_harm"],
        notes="Canary session notes: talked about her family",
        **values,
    )
    db.session.commit()
    return record


def test_session_notes_stay_with_the_counselling_agency(world: World, app: Flask) -> None:
    record = _session(world, shared_summary="Canary summary: attending, engaged")
    for account in (world.caseworker, world.supervisor):
        client = app.test_client()
        sign_in(client, account)
        page = client.get(f"/services/{record.id}").get_data(as_text=True)
        assert "Canary session notes" not in page
        assert "Canary summary: attending, engaged" in page
        assert re.search(r"Apr 1, 2026|1 Apr 2026|2026-04-01", page), "that the session happened"
        assert "Self-harm" in page or "self_harm" in page or "harm" in page.lower()
    for account in (world.partner, world.ngo_supervisor):
        client = app.test_client()
        sign_in(client, account)
        page = client.get(f"/services/{record.id}").get_data(as_text=True)
        assert "Canary session notes" in page


def test_the_session_form_says_what_the_referring_agency_sees(world: World, app: Flask) -> None:
    referral = refer(world)
    referral_ops.accept_referral(world.partner.user, referral)
    record = service_ops.create_service_record(
        world.partner.user,
        world.case,
        service_type="psychosocial_counselling",
        status="in_progress",
    )
    db.session.commit()
    client = app.test_client()
    sign_in(client, world.partner)
    page = client.get(f"/services/{record.id}/sessions/new").get_data(as_text=True)
    assert "Session notes are confidential to your agency" in page
    assert 'name="shared_summary"' in page
