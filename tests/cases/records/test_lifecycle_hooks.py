"""A case's life events reach referrals and notifications: closing a case ends every
partner's access; assignment and closure requests tell the people who must act."""

from __future__ import annotations

from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.cases.scopes import visible_cases
from casework.core.extensions import db
from casework.notifications.models import Notification
from casework.policy import Action, Role, can
from casework.referrals.models import Referral
from tests import factories
from tests.cases.records.conftest import World, post_form
from tests.conftest import csrf_token


def _close(world: World) -> None:
    caseworker = world.as_caseworker()
    request = f"/cases/{world.case.id}/closure/request"
    response = post_form(caseworker, request, {"reason": "goals_met", "status": "Closed"})
    assert response.status_code == 302
    decide = f"/cases/{world.case.id}/closure/decide"
    assert post_form(world.as_supervisor(), decide, {"decision": "approve"}).status_code == 302


def test_closing_a_case_ends_its_referrals_and_the_partners_access(world: World) -> None:
    partner = factories.make_user(Role.PARTNER, world.other)
    accepted = factories.make_referral(world.case, world.other, status="accepted")
    third = factories.make_agency("Third Agency", country="PH")
    pending = factories.make_referral(world.case, third, status="pending")
    db.session.commit()
    assert can(partner.user, Action.VIEW_CASE, world.reload())
    partner_client = world.client(partner)
    assert partner_client.get(f"/cases/{world.case.id}").status_code == 200

    _close(world)

    db.session.expire_all()
    assert db.session.get(Referral, accepted.id).status == "completed"  # type: ignore[union-attr]
    assert db.session.get(Referral, pending.id).status == "revoked"  # type: ignore[union-attr]
    case = world.reload()
    assert not can(partner.user, Action.VIEW_CASE, case)
    assert db.session.execute(visible_cases(partner.user)).scalars().all() == []
    assert partner_client.get(f"/cases/{world.case.id}").status_code == 404
    actions = set(db.session.execute(select(AuditEvent.action)).scalars())
    assert {"referral.completed_on_closure", "referral.revoked_on_closure"} <= actions
    told = db.session.execute(
        select(Notification).where(Notification.user_id == partner.user.id)
    ).scalars()
    assert "referral_ended_by_closure" in {n.kind for n in told}


def test_a_closed_case_is_shared_with_no_one_even_with_an_accepted_referral(
    world: World,
) -> None:
    partner = factories.make_user(Role.PARTNER, world.other).user
    factories.make_referral(world.case, world.other, status="accepted")
    world.case.status = "Closed"
    db.session.commit()
    assert not can(partner, Action.VIEW_CASE, world.reload())
    assert db.session.execute(visible_cases(partner)).scalars().all() == []


def test_assignment_and_closure_requests_notify_who_must_act(world: World) -> None:
    newcomer = factories.make_user(Role.CASEWORKER, world.home).user
    db.session.commit()
    path = f"/cases/{world.case.id}/assign"
    assert post_form(world.as_supervisor(), path, {"assignee": str(newcomer.id)}).status_code == 302
    kinds = {(n.user_id, n.kind) for n in db.session.execute(select(Notification)).scalars()}
    assert (newcomer.id, "case_assigned") in kinds

    caseworker = factories.make_user(Role.CASEWORKER, world.home)
    world.case.assigned_to_id = caseworker.user.id
    db.session.commit()
    request = f"/cases/{world.case.id}/closure/request"
    client = world.client(caseworker)
    assert (
        post_form(client, request, {"reason": "goals_met", "status": "Closed"}).status_code == 302
    )
    db.session.expire_all()
    kinds = {(n.user_id, n.kind) for n in db.session.execute(select(Notification)).scalars()}
    assert (world.supervisor.id, "closure_requested") in kinds


def test_closure_endings_read_as_words_on_the_timeline() -> None:
    from casework.cases.presenting import timeline_label

    for kind in ("referral.completed_on_closure", "referral.revoked_on_closure"):
        assert timeline_label(kind) != kind


def _close_as_referred(world: World) -> None:
    caseworker = world.as_caseworker()
    request = f"/cases/{world.case.id}/closure/request"
    data = {"reason": "referred_elsewhere", "status": "ClosedReferred"}
    assert post_form(caseworker, request, data).status_code == 302
    decide = f"/cases/{world.case.id}/closure/decide"
    assert post_form(world.as_supervisor(), decide, {"decision": "approve"}).status_code == 302


def test_closed_referred_lets_the_referrals_go_on(world: World) -> None:
    """ "Closed (referred)": the case continues with the agencies it went to. The accepted
    referral keeps its access (the partner still sees the case, records its services,
    completes the referral); a pending one can still be accepted; the owner's record is
    read-only (0090)."""
    partner = factories.make_user(Role.PARTNER, world.other)
    accepted = factories.make_referral(world.case, world.other, status="accepted")
    third = factories.make_agency("Third Agency", country="PH")
    third_partner = factories.make_user(Role.PARTNER, third)
    pending = factories.make_referral(world.case, third, status="pending")
    db.session.commit()

    _close_as_referred(world)

    db.session.expire_all()
    assert world.reload().status == "ClosedReferred"
    assert db.session.get(Referral, accepted.id).status == "accepted"  # type: ignore[union-attr]
    assert db.session.get(Referral, pending.id).status == "pending"  # type: ignore[union-attr]
    actions = set(db.session.execute(select(AuditEvent.action)).scalars())
    assert not {"referral.completed_on_closure", "referral.revoked_on_closure"} & actions
    case = world.reload()
    assert can(partner.user, Action.VIEW_CASE, case)
    assert db.session.execute(visible_cases(partner.user)).scalars().all() == [case]
    partner_client = world.client(partner)
    assert partner_client.get(f"/cases/{world.case.id}").status_code == 200

    # The partner records the service it gives, then completes its referral.
    new_service = f"/services/new/{world.case.id}"
    data = {"service_type": "shelter", "status": "in_progress"}
    assert post_form(partner_client, new_service, data).status_code == 303
    complete = f"/referrals/{accepted.id}/complete"
    assert post_form(partner_client, complete, {}).status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(Referral, accepted.id).status == "completed"  # type: ignore[union-attr]
    assert partner_client.get(f"/cases/{world.case.id}").status_code == 404

    # The pending referral is still open: its receiver accepts it.
    third_client = world.client(third_partner)
    accept = f"/referrals/{pending.id}/accept"
    token = csrf_token(third_client, "/account")
    assert third_client.post(accept, data={"csrf_token": token}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Referral, pending.id).status == "accepted"  # type: ignore[union-attr]

    # The owner's record is closed: its caseworker records no service, no note.
    owner_client = world.as_caseworker()
    before = db.session.execute(select(AuditEvent.action)).scalars().all()
    page = owner_client.get(new_service, follow_redirects=True).get_data(as_text=True)
    assert "closed as referred" in page
    token = csrf_token(owner_client, "/account")
    response = owner_client.post(
        new_service, data={**data, "csrf_token": token}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "closed as referred" in response.get_data(as_text=True)
    after = db.session.execute(select(AuditEvent.action)).scalars().all()
    assert "service.recorded" not in after[len(before) :]


def test_closed_then_ends_what_closed_referred_let_go_on(world: World) -> None:
    """Only "Closed" ends the referrals: re-opened, then closed for good, the partner loses
    the case it kept while the case was closed as referred."""
    partner = factories.make_user(Role.PARTNER, world.other)
    accepted = factories.make_referral(world.case, world.other, status="accepted")
    db.session.commit()
    _close_as_referred(world)
    assert can(partner.user, Action.VIEW_CASE, world.reload())
    reopen = f"/cases/{world.case.id}/reopen"
    second = factories.make_user(Role.SUPERVISOR, world.home)
    db.session.commit()
    assert post_form(world.client(second), reopen, {}).status_code == 302
    assert world.reload().status == "Active"
    _close(world)
    db.session.expire_all()
    assert db.session.get(Referral, accepted.id).status == "completed"  # type: ignore[union-attr]
    assert not can(partner.user, Action.VIEW_CASE, world.reload())
