"""The issue's journey, through HTTP: a caseworker in Thailand refers a case to a counselling
NGO in Cambodia; the partner accepts, sees only the shared groups, records a service and two
counselling sessions; the caseworker sees them; the sender revokes; the partner loses the
case but keeps its own records."""

from __future__ import annotations

import re

from flask import Flask, render_template
from flask_login import login_user
from sqlalchemy import select

from casework.core.extensions import db
from casework.policy import visible_field_groups
from casework.referrals.models import Referral
from casework.services.models import CounsellingSession, ServiceRecord
from tests.conftest import csrf_token, sign_in_directly
from tests.referrals.conftest import World


def _client(app: Flask, account):
    client = app.test_client()
    sign_in_directly(client, account)
    return client


def _post(client, path: str, data: dict, token_from: str | None = None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, token_from or path)})


def _text(response) -> str:
    return response.get_data(as_text=True)


def _session(client, service_id, day: str, notes: str, **extra):
    return _post(
        client,
        f"/services/{service_id}/sessions/new",
        {
            "held_on": day,
            "duration_minutes": "60",
            "counsellor_id": extra.pop("counsellor_id"),
            "modality": "video",
            "notes": notes,
            "next_appointment_on": "2026-12-20",
            **extra,
        },
    )


def test_cross_border_referral_journey(app: Flask, world: World) -> None:
    caseworker = _client(app, world.caseworker)
    partner = _client(app, world.partner)
    case_id = world.case.id

    # 1. The Thai caseworker refers the case to the Cambodian NGO, sharing one group.
    response = _post(
        caseworker,
        f"/referrals/new/{case_id}",
        {
            "to_agency_id": str(world.ngo.id),
            "services": "psychosocial_counselling",
            "urgency": "urgent",
            "reason": "Counselling in Khmer after return",
            "shared_groups": "trafficking_context",
        },
    )
    assert response.status_code == 303
    referral = db.session.execute(select(Referral)).scalar_one()
    assert (referral.from_country, referral.to_country) == ("TH", "KH")

    # 2. The partner finds it in the inbox and accepts it.
    inbox = _text(partner.get("/referrals/inbox"))
    assert world.case.reference in inbox
    assert "Thailand" in inbox
    page = f"/referrals/{referral.id}"
    assert _post(partner, f"{page}/accept", {}, page).status_code == 303
    db.session.expire_all()
    assert visible_field_groups(world.partner.user, world.case) == {"trafficking_context"}
    accepted_page = _text(partner.get(page))
    assert "Record a service" in accepted_page
    for unshared in ("Canary Sreymom Vann", "N0CANARY42", "345 678"):
        assert unshared not in accepted_page
    case_page = partner.get(f"/cases/{case_id}")
    if case_page.status_code != 404 or f"/cases/{case_id}" in accepted_page:
        assert case_page.status_code == 200  # the case page (helper "cases"), when merged
        assert "Canary Sreymom Vann" not in _text(case_page)

    # 3. The partner records a counselling service and two sessions.
    response = _post(
        partner,
        f"/services/new/{case_id}",
        {"service_type": "psychosocial_counselling", "status": "planned", "notes": "Plan: 6"},
    )
    assert response.status_code == 303, _text(response)
    record = db.session.execute(select(ServiceRecord)).scalar_one()
    assert record.referral_id == referral.id
    me = str(world.partner.user.id)
    assert (
        _session(partner, record.id, "2026-12-01", "First session", counsellor_id=me).status_code
        == 303
    )
    second = _session(
        partner,
        record.id,
        "2026-12-08",
        "Second session",
        counsellor_id=me,
        risk_flags="re_trafficking",
    )
    assert second.status_code == 303
    assert len(db.session.execute(select(CounsellingSession)).all()) == 2

    # 4. The caseworker sees the service, that both sessions happened and the risk alert; the
    #    session notes stay with the counselling agency (issue 12, item 11).
    service_page = _text(caseworker.get(f"/services/{record.id}"))
    # Both sessions' days, in the reader's format (casework/web/dates.py).
    assert re.search(r"Dec 1, 2026|1 Dec 2026|2026-12-01", service_page)
    assert re.search(r"Dec 8, 2026|8 Dec 2026|2026-12-08", service_page)
    assert "First session" not in service_page
    assert "Second session" not in service_page
    assert "Risk of re-trafficking" in service_page
    partner_page = _text(partner.get(f"/services/{record.id}"))
    assert "First session" in partner_page
    assert "Second session" in partner_page
    assert "KH Counselling" in _text(caseworker.get(page))
    assert "Risk alert from a counselling session" in _text(caseworker.get("/notifications/"))
    owner_case_page = caseworker.get(f"/cases/{case_id}")
    if owner_case_page.status_code == 200:  # the case page includes this feature's partials
        owner_view = _text(owner_case_page)
        assert "Support and services" in owner_view
        assert f"/services/{record.id}" in owner_view
        assert f"/referrals/{referral.id}" in owner_view

    # 5. The sender revokes; the partner loses the case but keeps its own records.
    assert _post(caseworker, f"{page}/revoke", {}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == "revoked"
    assert visible_field_groups(world.partner.user, world.case) == frozenset()
    assert partner.get(f"/cases/{case_id}").status_code == 404
    assert partner.get(f"/services/new/{case_id}").status_code == 404
    assert partner.get(f"/services/{record.id}/sessions/new").status_code == 404
    kept = _text(partner.get(f"/services/{record.id}"))
    assert "First session" in kept
    assert "read only" in kept
    assert world.case.reference in _text(partner.get("/services/"))
    assert "Referral revoked by the sender" in _text(partner.get("/notifications/"))


def test_case_page_partials(app: Flask, world: World) -> None:
    """The partials the case page includes, with its context (`case`, `groups`, `timeline`)."""
    from casework.referrals import operations as referral_ops
    from casework.services import operations as service_ops
    from tests.referrals.conftest import refer

    referral = refer(world)
    referral_ops.accept_referral(world.partner.user, referral)
    service_ops.create_service_record(
        world.partner.user, world.case, service_type="psychosocial_counselling", status="planned"
    )
    db.session.commit()

    def render(user, template: str) -> str:
        with app.test_request_context("/"):
            login_user(user)
            groups = visible_field_groups(user, world.case)
            return render_template(template, case=world.case, groups=groups, timeline=[])

    owner = render(world.caseworker.user, "referrals/case_panel.html")
    assert "KH Counselling" in owner
    assert "Refer to another agency" in owner
    assert re.search(
        r"Psychosocial counselling", render(world.caseworker.user, "services/case_panel.html")
    )
    as_partner = render(world.partner.user, "referrals/case_panel.html")
    assert "Refer to another agency" not in as_partner
    assert "Support plan" not in render(world.partner.user, "services/case_panel.html")
    assert "No referrals." in render(world.legal_partner.user, "referrals/case_panel.html")
