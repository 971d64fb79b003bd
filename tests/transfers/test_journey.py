"""The issue's journey, through HTTP (issue 14, decision 0091): a Bangkok caseworker transfers
a Cambodian person's case to the Phnom Penh agency at return; its supervisor finds it on the
home page and accepts; the Phnom Penh caseworker sees the case with its history and refers it
to a partner; the Bangkok caseworker still reads what Bangkok recorded and nothing after."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from casework.cases.models import Case
from casework.core.extensions import db
from casework.referrals.models import Referral
from casework.services.plans.models import PlanStep
from casework.transfers.models import CaseTransfer
from tests import factories
from tests.conftest import csrf_token, sign_in_directly
from tests.transfers.conftest import World


def _client(app: Flask, account: factories.Account):
    client = app.test_client()
    sign_in_directly(client, account)
    return client


def _post(client, path: str, data: dict, token_from: str | None = None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, token_from or path)})


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_transfer_at_return_journey(app: Flask, world: World) -> None:
    bangkok = _client(app, world.caseworker)
    kh_supervisor = _client(app, world.kh_supervisor)
    kh_worker = _client(app, world.kh_caseworker)
    case_id = world.case.id
    case_page = f"/cases/{case_id}"

    # 0. Bangkok records a note while the case is theirs.
    response = _post(
        bangkok,
        f"{case_page}/notes",
        {"category": "case_management", "body": "Canary Bangkok: shelter stay ends Friday"},
        case_page,
    )
    assert response.status_code == 302

    # 1. The Bangkok caseworker proposes the transfer from the case page.
    assert "/transfers/new/" in _text(bangkok.get(case_page))
    response = _post(
        bangkok,
        f"/transfers/new/{case_id}",
        {
            "to_agency_id": str(world.phnom_penh.id),
            "shared_groups": ["identity_contact", "trafficking_context", "health_notes"],
            "reason": "Returns to Phnom Penh on Friday",
        },
    )
    assert response.status_code == 303, _text(response)
    transfer = db.session.execute(select(CaseTransfer)).scalar_one()
    page = f"/transfers/{transfer.id}"
    assert kh_worker.get(page).status_code == 404  # not a supervisor: not theirs to answer
    assert kh_supervisor.get(case_page).status_code == 404  # pending: not theirs yet

    # 2. The Phnom Penh supervisor finds it on the home page and in the referral inbox.
    home = _text(kh_supervisor.get("/"))
    assert "Answer this transfer from Bangkok Shelter" in home
    assert world.case.reference in home
    assert "Canary" not in home
    assert "1 case transfer waits" in _text(kh_supervisor.get("/referrals/inbox"))
    assert "Returns to Phnom Penh on Friday" in _text(kh_supervisor.get(page))
    response = _post(kh_supervisor, f"{page}/accept", {}, page)
    assert response.status_code == 303
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert case.agency_id == world.phnom_penh.id

    # 3. It assigns the case to its caseworker, who sees the case with its history.
    response = _post(
        kh_supervisor,
        f"{case_page}/assign",
        {"assignee": str(world.kh_caseworker.user.id)},
    )
    assert response.status_code in (302, 303), _text(response)
    view = _text(kh_worker.get(case_page))
    assert "Canary Sokha Chan" in view
    assert "Canary Bangkok: shelter stay ends Friday" in view
    assert "Transfer accepted: the case changed agency" in view  # the timeline, one story
    assert "Transfer of the case proposed" in view

    # 4. The Phnom Penh caseworker adds a reintegration plan step (decision 0094)...
    path = f"/services/plan/{case_id}/steps/new"
    form = _text(kh_worker.get(path))
    submission = form.split('name="submission" type="hidden" value="')[1].split('"')[0]
    response = _post(
        kh_worker,
        path,
        {
            "submission": submission,
            "description": "Canary step: vocational training enrolment",
            "owner_agency_id": str(world.phnom_penh.id),
            "owner_user_id": str(world.kh_caseworker.user.id),
            "due_on": "2027-02-01",
        },
    )
    assert response.status_code == 303, _text(response)
    step = db.session.execute(select(PlanStep)).scalar_one()
    assert step.owner_agency_id == world.phnom_penh.id

    # ... and refers the case to a partner.
    factories.make_consent(case, "referral", agency=world.ngo)
    db.session.commit()
    response = _post(
        kh_worker,
        f"/referrals/new/{case_id}",
        {
            "to_agency_id": str(world.ngo.id),
            "services": "psychosocial_counselling",
            "urgency": "routine",
            "reason": "Counselling at home",
            "shared_groups": "trafficking_context",
        },
    )
    assert response.status_code == 303, _text(response)
    referral = db.session.execute(select(Referral)).scalar_one()
    assert referral.from_agency_id == world.phnom_penh.id
    _post(
        kh_worker,
        f"{case_page}/notes",
        {"category": "case_management", "body": "Canary Phnom Penh: family visit done"},
        case_page,
    )

    # 5. Bangkok still reads what Bangkok recorded, and nothing added after the transfer.
    assert bangkok.get(case_page).status_code == 404
    mine = _text(bangkok.get(page))
    assert "What your agency recorded" in mine
    assert "Canary Bangkok: shelter stay ends Friday" in mine
    assert "Canary Phnom Penh" not in mine
    assert "Canary step" not in mine  # the plan step came after the transfer
    assert "Counselling at home" not in mine
    assert "Referral sent" not in mine  # Phnom Penh's referral is not Bangkok's
    # and nothing of the case besides
    assert bangkok.get(f"/referrals/{referral.id}").status_code == 404
    assert _post(bangkok, f"{page}/withdraw", {}, page).status_code == 404  # answered
    db.session.expire_all()
    assert db.session.get(CaseTransfer, transfer.id).status == "accepted"
