"""Assignment by supervisors (own agency only) and closure with a reason and approval."""

from __future__ import annotations

from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.cases import signals
from casework.cases.models import TimelineEntry
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.cases.records.conftest import World, post_form


def _timeline(case_id: object) -> list[tuple[str, str | None]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(TimelineEntry).where(TimelineEntry.case_id == case_id).order_by(TimelineEntry.at)
    ).scalars()
    return [(row.kind, row.detail) for row in rows]


def _audit(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


# ---- assignment ------------------------------------------------------------------------


def test_supervisor_reassigns_within_the_agency(world: World) -> None:
    newcomer = factories.make_user(Role.CASEWORKER, world.home).user
    db.session.commit()
    heard: list[dict[str, object]] = []

    def receiver(case: object, **kwargs: object) -> None:
        heard.append(kwargs)

    signals.case_assigned.connect(receiver)
    try:
        client = world.as_supervisor()
        path = f"/cases/{world.case.id}/assign"
        page = client.get(path).get_data(as_text=True)
        assert newcomer.email in page
        response = post_form(client, path, {"assignee": str(newcomer.id)})
    finally:
        signals.case_assigned.disconnect(receiver)
    assert response.status_code == 302
    assert world.reload().assigned_to_id == newcomer.id
    entry = db.session.execute(
        select(TimelineEntry).where(TimelineEntry.kind == "case.assigned")
    ).scalar_one()
    assert (entry.actor_id, entry.target_id) == (world.supervisor.id, str(newcomer.id))
    [event] = _audit("case.assigned")
    assert event.detail == f"to={newcomer.id}"
    assert heard[0]["previous_id"] == world.caseworker.id
    # the former caseworker lost the case at once; the new one has it
    assert world.as_caseworker().get(f"/cases/{world.case.id}/consents/new").status_code == 404


def test_a_crafted_assignment_to_anyone_outside_the_agency_is_refused(
    world: World,
) -> None:
    foreign = factories.make_user(Role.CASEWORKER, world.other).user
    partner_here = factories.make_user(Role.PARTNER, world.home).user
    coordinator_here = factories.make_user(Role.COORDINATOR, world.home).user
    gone = factories.make_user(Role.CASEWORKER, world.home, active=False).user
    db.session.commit()
    client = world.as_supervisor()
    path = f"/cases/{world.case.id}/assign"
    for user in (foreign, partner_here, coordinator_here, gone):
        response = post_form(client, path, {"assignee": str(user.id)})
        assert response.status_code == 422, user
        assert world.reload().assigned_to_id == world.caseworker.id
    assert _audit("case.assigned") == []
    page = client.get(path).get_data(as_text=True)
    for user in (foreign, partner_here, coordinator_here, gone):
        assert user.email not in page


def test_caseworkers_and_other_agencies_cannot_assign(world: World, login_as) -> None:
    path = f"/cases/{world.case.id}/assign"
    other_supervisor, _ = login_as(Role.SUPERVISOR, agency=world.other)
    for client in (world.as_caseworker(), other_supervisor):
        assert client.get(path).status_code == 404
        token_page = "/account"
        from tests.conftest import csrf_token

        token = csrf_token(client, token_page)
        posted = client.post(path, data={"csrf_token": token, "assignee": str(world.supervisor.id)})
        assert posted.status_code == 404
    assert world.reload().assigned_to_id == world.caseworker.id


# ---- closure ---------------------------------------------------------------------------


def _request(client, world: World, **data: str):
    return post_form(client, f"/cases/{world.case.id}/closure/request", data)


def test_closure_needs_a_reason_and_a_supervisors_approval(world: World) -> None:
    caseworker = world.as_caseworker()
    missing = _request(caseworker, world, status="Closed")
    assert missing.status_code == 422
    assert "Choose the reason for closure." in missing.get_data(as_text=True)
    crafted = _request(caseworker, world, reason="bored", status="Deleted")
    assert crafted.status_code == 422
    assert world.reload().closure_requested_at is None

    assert _request(caseworker, world, reason="goals_met", status="Closed").status_code == 302
    case = world.reload()
    assert case.status == "Active", "closure waits for approval"
    assert (case.closure_reason, case.closure_requested_status) == ("goals_met", "Closed")
    assert case.closure_requested_by_id == world.caseworker.id

    decide = f"/cases/{world.case.id}/closure/decide"
    assert caseworker.get(decide).status_code == 404, "a caseworker cannot approve"
    supervisor = world.as_supervisor()
    assert post_form(supervisor, decide, {"decision": "approve"}).status_code == 302
    case = world.reload()
    assert (case.status, case.closure_reason, case.closed_by_id) == (
        "Closed",
        "goals_met",
        world.supervisor.id,
    )
    assert case.closed_at is not None
    assert case.closure_requested_at is None
    assert [k for k, _ in _timeline(case.id)] == ["case.closure_requested", "case.closure_approved"]
    assert [e.detail for e in _audit("case.closure_approved")] == ["status=Closed reason=goals_met"]


def test_a_supervisor_cannot_approve_their_own_request(world: World, login_as) -> None:
    supervisor = world.as_supervisor()
    assert (
        _request(
            supervisor, world, reason="referred_elsewhere", status="ClosedReferred"
        ).status_code
        == 302
    )
    decide = f"/cases/{world.case.id}/closure/decide"
    response = post_form(supervisor, decide, {"decision": "approve"})
    assert response.status_code == 422
    assert "another supervisor must approve" in response.get_data(as_text=True)
    assert world.reload().status == "Active"
    second, _ = login_as(Role.SUPERVISOR, agency=world.home)
    assert post_form(second, decide, {"decision": "approve"}).status_code == 302
    assert world.reload().status == "ClosedReferred"


def test_sending_back_needs_a_note_and_keeps_the_case_open(world: World) -> None:
    _request(world.as_caseworker(), world, reason="lost_contact", status="Closed")
    supervisor = world.as_supervisor()
    decide = f"/cases/{world.case.id}/closure/decide"
    assert post_form(supervisor, decide, {"decision": "reject"}).status_code == 422
    assert world.reload().closure_requested_at is not None
    response = post_form(supervisor, decide, {"decision": "reject", "note": "risk_unresolved"})
    assert response.status_code == 302
    case = world.reload()
    assert (case.status, case.closure_reason, case.closure_requested_at) == ("Active", None, None)
    assert ("case.closure_rejected", "note=risk_unresolved") in _timeline(case.id)
    assert post_form(supervisor, decide, {"decision": "approve"}).status_code == 422


def test_reopening_a_closed_case(world: World) -> None:
    _request(world.as_caseworker(), world, reason="goals_met", status="Closed")
    supervisor = world.as_supervisor()
    post_form(supervisor, f"/cases/{world.case.id}/closure/decide", {"decision": "approve"})
    assert world.as_caseworker().get(f"/cases/{world.case.id}/reopen").status_code == 404
    path = f"/cases/{world.case.id}/reopen"
    assert supervisor.get(path).status_code == 200
    assert world.reload().status == "Closed"
    assert post_form(supervisor, path).status_code == 302
    case = world.reload()
    assert (case.status, case.closed_at, case.closure_reason) == ("Active", None, None)
    assert ("case.reopened", "from=Closed") in _timeline(case.id)


def test_supervisors_find_pending_closure_requests_of_their_agency(world: World, login_as) -> None:
    _request(world.as_caseworker(), world, reason="goals_met", status="Closed")
    elsewhere = factories.make_case(world.other)
    elsewhere.closure_requested_at = elsewhere.created_at
    elsewhere.closure_requested_status = "Closed"
    db.session.commit()
    supervisor = world.as_supervisor()
    page = supervisor.get("/cases/closure-requests")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert world.case.reference in text
    assert elsewhere.reference not in text
    assert f"/cases/{world.case.id}/closure/decide" in text
    assert 'href="/cases/closure-requests"' in supervisor.get("/").get_data(as_text=True)
    other_supervisor, _ = login_as(Role.SUPERVISOR, agency=world.other)
    listed = other_supervisor.get("/cases/closure-requests").get_data(as_text=True)
    assert world.case.reference not in listed
    post_form(supervisor, f"/cases/{world.case.id}/closure/decide", {"decision": "approve"})
    after = supervisor.get("/cases/closure-requests").get_data(as_text=True)
    assert world.case.reference not in after


def test_caseworkers_have_no_closure_request_list(world: World) -> None:
    assert world.as_caseworker().get("/cases/closure-requests").status_code == 404
