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
