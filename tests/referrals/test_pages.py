"""Referral pages through HTTP: refer (a crafted POST without consent is refused), the inbox
and sent lists, answers, refused transitions shown as messages, other agencies turned away,
notifications."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from casework.core.db import utcnow
from casework.core.extensions import db
from casework.notifications.models import Notification
from casework.referrals.models import Referral
from tests import factories
from tests.conftest import csrf_token, sign_in_directly
from tests.referrals.conftest import World, refer


def _text(response) -> str:
    return response.get_data(as_text=True)


def _referral_count() -> int:
    db.session.expire_all()
    return int(db.session.execute(select(func.count()).select_from(Referral)).scalar() or 0)


def _client(app, account):
    client = app.test_client()
    sign_in_directly(client, account)
    return client


def _post(client, path: str, data: dict, token_path: str | None = None):
    token = csrf_token(client, token_path or path)
    return client.post(path, data={**data, "csrf_token": token})


def test_refer_form_filters_agencies_and_shows_both_countries(world: World, app) -> None:
    client = _client(app, world.caseworker)
    page = _text(client.get(f"/referrals/new/{world.case.id}"))
    assert "KH Counselling (Cambodia) - consent recorded" in page
    assert "PH Legal Aid (Philippines) - no consent recorded" in page
    assert "TH Police" not in page.split('name="to_agency_id"')[1].split("</select>")[0]
    filtered = _text(client.get(f"/referrals/new/{world.case.id}?need=legal_aid"))
    assert "PH Legal Aid" in filtered
    assert "KH Counselling (Cambodia)" not in filtered
    by_country = _text(
        client.get(f"/referrals/new/{world.case.id}?need=psychosocial_counselling&country=KH")
    )
    assert "KH Counselling" in by_country
    assert "PH Legal Aid (Philippines)" not in by_country


def test_refer_form_asks_for_the_services_once(world: World, app) -> None:
    """The services are chosen once (step 1, which also finds the agencies); step 2 carries
    them as hidden values and lists them."""
    client = _client(app, world.caseworker)
    path = f"/referrals/new/{world.case.id}"
    page = _text(client.get(path))
    assert page.count('type="checkbox"') == page.count('name="need"') + page.count(
        'name="shared_groups"'
    )
    assert page.count('name="need"') == 14
    assert 'name="services"' not in page
    assert "Choose the services the person needs in step 1 first." in page

    chosen = _text(client.get(f"{path}?need=legal_aid&need=psychosocial_counselling"))
    assert chosen.count('name="need"') == 14
    assert chosen.count('type="hidden" name="services"') == 2
    assert 'name="services" value="legal_aid"' in chosen
    assert "?need=legal_aid&amp;need=psychosocial_counselling" in chosen  # kept after an error

    refused = _post(client, path, {"urgency": "routine", "reason": "No service chosen"})
    assert refused.status_code == 422
    assert "Choose at least one service." in _text(refused)
    assert _referral_count() == 0


def test_crafted_post_without_consent_is_refused(world: World, app) -> None:
    client = _client(app, world.caseworker)
    path = f"/referrals/new/{world.case.id}"
    response = _post(
        client,
        path,
        {
            "to_agency_id": str(world.legal.id),
            "services": "legal_aid",
            "urgency": "routine",
            "reason": "Crafted",
            "shared_groups": ["identity_contact", "documents"],
        },
    )
    assert response.status_code == 422
    assert "no current consent" in _text(response)
    assert _referral_count() == 0


def test_refer_then_the_partner_accepts(world: World, app) -> None:
    client = _client(app, world.caseworker)
    response = _post(
        client,
        f"/referrals/new/{world.case.id}",
        {
            "to_agency_id": str(world.ngo.id),
            "services": "psychosocial_counselling",
            "urgency": "emergency",
            "reason": "Canary reason for referral",
            "shared_groups": "trafficking_context",
        },
    )
    assert response.status_code == 303, _text(response)
    [referral] = db.session.execute(select(Referral)).scalars().all()
    page = _text(client.get(response.headers["Location"]))
    assert "Canary reason for referral" in page
    assert "Cross-border" in page
    assert "Revoke referral" in page

    partner = _client(app, world.partner)
    assert "Accept referral" in _text(partner.get(f"/referrals/{referral.id}"))
    accepted = _post(partner, f"/referrals/{referral.id}/accept", {}, f"/referrals/{referral.id}")
    assert accepted.status_code == 303
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == "accepted"
    # accepting twice: told, nothing changes, no server error
    again = _post(partner, f"/referrals/{referral.id}/accept", {}, f"/referrals/{referral.id}")
    assert again.status_code == 409
    assert "already been answered" in _text(again)


def test_inbox_counts_filters_and_time_waited(world: World, app) -> None:
    old = refer(world)
    old.created_at = utcnow() - timedelta(days=5)
    factories.make_consent(world.case, "sharing", agency=world.legal)
    declined = refer(world, to_agency_id=world.legal.id, services=["legal_aid"])
    db.session.commit()
    client = _client(app, world.partner)
    page = _text(client.get("/referrals/inbox"))
    assert world.case.reference in page
    assert "5 days" in page
    assert "Answer overdue" in page  # urgent: 3 days to answer
    assert re.search(r"Pending: 1\b", page)
    assert re.search(r"Accepted: 0\b", page)
    legal = _client(app, world.legal_partner)
    _post(legal, f"/referrals/{declined.id}/decline", {"reason": "No lawyer"})
    assert re.search(r"Declined: 1\b", _text(legal.get("/referrals/inbox")))
    assert "No referrals match." in _text(legal.get("/referrals/inbox?status=pending"))
    sent = _text(_client(app, world.caseworker).get("/referrals/sent"))
    assert "KH Counselling" in sent
    assert "PH Legal Aid" in sent
    assert re.search(r"Declined: 1\b", sent)
    filtered = _text(_client(app, world.caseworker).get("/referrals/sent?country=PH"))
    assert "PH Legal Aid" in filtered
    assert "KH Counselling (Cambodia)" not in filtered


def test_expired_referral_shows_as_expired_everywhere(world: World, app) -> None:
    referral = refer(world)
    referral.created_at = utcnow() - timedelta(days=app.config["REFERRAL_EXPIRY_DAYS"] + 1)
    db.session.commit()
    client = _client(app, world.partner)
    assert re.search(r"Expired: 1\b", _text(client.get("/referrals/inbox")))
    page = _text(client.get(f"/referrals/{referral.id}"))
    assert "Accept referral" not in page
    refused = _post(client, f"/referrals/{referral.id}/accept", {}, f"/referrals/{referral.id}")
    assert refused.status_code == 409
    assert "expired" in _text(refused)


def test_decline_needs_a_reason_on_the_form(world: World, app) -> None:
    referral = refer(world)
    db.session.commit()
    client = _client(app, world.partner)
    path = f"/referrals/{referral.id}/decline"
    response = _post(client, path, {"reason": ""})
    assert response.status_code == 422
    assert 'aria-describedby="reason-hint reason-error"' in _text(response)
    assert _post(client, path, {"reason": "No space"}).status_code == 303


def test_complete_and_revoke_ask_for_confirmation(world: World, app) -> None:
    referral = refer(world)
    db.session.commit()
    client = _client(app, world.caseworker)
    path = f"/referrals/{referral.id}/revoke"
    assert "Yes, revoke it" in _text(client.get(path))
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == "pending", "GET changes nothing"
    assert _post(client, path, {}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == "revoked"
    # completing a revoked referral: a message, not an error
    partner = _client(app, world.partner)
    refused = _post(partner, f"/referrals/{referral.id}/complete", {}, f"/referrals/{referral.id}")
    assert refused.status_code == 409
    assert "Only an accepted referral can be completed." in _text(refused)


def test_partner_of_another_agency_is_turned_away(world: World, app) -> None:
    referral = refer(world)
    db.session.commit()
    outsider = _client(app, world.legal_partner)
    token = csrf_token(outsider, "/account")
    assert outsider.get(f"/referrals/{referral.id}").status_code == 404
    for action in ("accept", "decline", "complete", "revoke"):
        response = outsider.post(f"/referrals/{referral.id}/{action}", data={"csrf_token": token})
        assert response.status_code == 404, action
    assert outsider.get(f"/referrals/new/{world.case.id}").status_code == 404
    assert world.case.reference not in _text(outsider.get("/referrals/inbox"))
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == "pending"


def test_notifications_list_open_and_read_all(world: World, app) -> None:
    refer(world)
    db.session.commit()
    client = _client(app, world.partner)
    home = _text(client.get("/"))
    assert re.search(r"Notifications <span class=\"badge[^\"]*\">1", home)
    page = _text(client.get("/notifications/"))
    assert "New referral received" in page
    assert world.case.reference in page
    [note] = db.session.execute(
        select(Notification).where(Notification.user_id == world.partner.user.id)
    ).scalars()
    opened = _post(client, f"/notifications/{note.id}/open", {}, "/notifications/")
    assert opened.status_code == 303
    assert opened.headers["Location"].endswith(note.link)
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is not None
    # someone else's notification (the NGO supervisor's): not found, and left unread
    [other] = db.session.execute(
        select(Notification).where(Notification.user_id == world.ngo_supervisor.user.id)
    ).scalars()
    token = csrf_token(client, "/notifications/")
    response = client.post(f"/notifications/{other.id}/open", data={"csrf_token": token})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, other.id).read_at is None
    assert _post(client, "/notifications/read-all", {}, "/notifications/").status_code == 303


def test_agency_form_records_services_offered(app, login_as) -> None:
    from casework.agencies.models import Agency

    client, _account = login_as("admin")
    response = _post(
        client,
        "/admin/agencies/new",
        {
            "name": "Hanoi Reintegration Network",
            "org_type": "NGO",
            "country": "VN",
            "services_offered": ["reintegration", "vocational_training"],
        },
    )
    assert response.status_code == 302
    agency = db.session.execute(
        select(Agency).where(Agency.name == "Hanoi Reintegration Network")
    ).scalar_one()
    assert agency.services_offered == ["reintegration", "vocational_training"]
    form = _text(client.get(f"/admin/agencies/{agency.id}/edit"))
    assert "<legend" in form
    assert "Services offered" in form
