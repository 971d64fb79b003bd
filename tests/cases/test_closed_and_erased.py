"""Every state-changing route of a case and its children, against a closed and an erased case.

The routes are discovered from `app.url_map`: a route whose URL names a case or one of its
records is a case route, and must be either walked (CHANGES: the kind of change it makes,
which `casework.cases.guard.ALLOWED` rules on) or excluded below with the reason. A new case
route is therefore covered as soon as it exists: the walk fails until it is classified.

For each walked route and state, as the person who may otherwise do it:
- refused by the table: the GET form and the POST both answer with the guard's message (on
  the case page, or on the page the route shows), never a 500, and the database is unchanged;
- allowed by the table: the GET answers the form that posts to the route (the changes
  themselves are exercised by their features' tests; withdrawing a consent on a closed case,
  the decision's point, is exercised here too).
See docs/decisions/0010-closed-cases-are-read-only.md and 0011-an-erased-case-never-changes.md.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from flask_login import login_user
from PIL import Image

from casework.cases.attachments.operations import add_attachment
from casework.cases.guard import ALLOWED, CaseState, Change, refusal
from casework.cases.lifecycle.erasure import erase_case
from casework.cases.models import Case, Consent
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.links.models import CaseLink, pair_of
from casework.policy import Role
from casework.services.models import ServiceRecord, SupportPlan
from casework.services.plans.models import PlanApproval, PlanStep
from tests import factories
from tests.conftest import csrf_token, sign_in_directly
from tests.security.helpers import snapshot

# URL arguments that name a case or one of its records.
CASE_ARGUMENTS = {
    "case_id",
    "consent_id",
    "attachment_id",
    "referral_id",
    "service_id",
    "step_id",
    "approval_id",
    "link_id",
}

# Every state-changing route of a case or its records, and the change it makes.
CHANGES: dict[str, Change] = {
    "cases.edit_case": Change.EDIT_DETAILS,
    "cases.add_note": Change.ADD_NOTE,
    "cases.new_consent": Change.RECORD_CONSENT,
    "cases.withdraw_consent": Change.WITHDRAW_CONSENT,
    "cases.attach_consent_form": Change.ADD_ATTACHMENT,
    "cases.new_attachment": Change.ADD_ATTACHMENT,
    "cases.delete_attachment": Change.DELETE_ATTACHMENT,
    "cases.assign": Change.ASSIGN,
    "cases.request_closure": Change.REQUEST_CLOSURE,
    "cases.decide_closure": Change.DECIDE_CLOSURE,
    "cases.reopen": Change.REOPEN,
    "cases.erase": Change.ERASE,
    "referrals.new_referral": Change.REFER,
    "transfers.new_transfer": Change.TRANSFER,
    "referrals.accept": Change.ACCEPT_REFERRAL,
    "referrals.decline": Change.END_REFERRAL,
    "referrals.complete": Change.END_REFERRAL,
    "referrals.revoke": Change.END_REFERRAL,
    "services.new_service": Change.RECORD_SERVICE,
    "services.edit_service": Change.EDIT_SERVICE,
    "services.new_session": Change.RECORD_SERVICE,
    "services.edit_plan": Change.EDIT_SUPPORT_PLAN,
    "services.new_plan_step": Change.EDIT_SUPPORT_PLAN,
    "services.edit_plan_step": Change.EDIT_SUPPORT_PLAN,
    "services.move_plan_step": Change.EDIT_SUPPORT_PLAN,
    "services.request_plan_approval": Change.EDIT_SUPPORT_PLAN,
    "services.decide_plan_approval": Change.EDIT_SUPPORT_PLAN,
    "links.new_link": Change.LINK_CASES,
    "links.remove_link": Change.LINK_CASES,
}

# Case routes the walk leaves out, and why: they only read (GET, and no GET changes anything:
# tests/security/test_url_map.py checks that for every route).
EXCLUDED: dict[str, str] = {
    "cases.view_case": "the case page: a read (audited as one)",
    "cases.print_case": "the printable summary: a read (audited as one)",
    "cases.download_attachment": "a file download: a read (audited as one)",
    "referrals.view_referral": "the referral page: a read",
    "services.view_service": "the service record page: a read",
}

# Form data that would make each change if the route let it through (the refusal must come
# first, so nothing of it is ever saved). Routes not listed post only their CSRF token.
POSTED: dict[str, Callable[[World], dict[str, Any]]] = {
    "cases.add_note": lambda w: {
        "category": "case_management",
        "body": "A note that must not be saved",
    },
    "cases.new_consent": lambda w: {
        "purpose": "statistics",
        "given_on": "2026-03-20",
        "method": "signed_form",
    },
    "cases.withdraw_consent": lambda w: {},
    "cases.assign": lambda w: {"assignee": str(w.owner.user.id)},
    "cases.request_closure": lambda w: {"reason": "goals_met", "status": "Closed"},
    "cases.decide_closure": lambda w: {"decision": "reject", "note": "other"},
    "cases.erase": lambda w: {"confirmation": w.case.reference},
    "referrals.decline": lambda w: {"reason": "We have no room"},
    "services.new_service": lambda w: {"service_type": "shelter", "status": "planned"},
    "services.edit_plan": lambda w: {"objectives": "Objectives that must not be saved"},
    "services.new_plan_step": lambda w: {
        "description": "A step that must not be saved",
        "owner_agency_id": str(w.case.agency_id),
        "due_on": "2027-01-15",
    },
    "services.edit_plan_step": lambda w: {
        "description": "A change that must not be saved",
        "owner_agency_id": str(w.case.agency_id),
        "due_on": "2027-01-16",
    },
    "services.move_plan_step": lambda w: {"event": "start"},
    "services.request_plan_approval": lambda w: {"kind": "assessment"},
    "services.decide_plan_approval": lambda w: {"decision": "approve"},
    "links.new_link": lambda w: {"reference": w.other_reference, "kind": "FamilyMember"},
}

STATES = (CaseState.CLOSED, CaseState.CLOSED_REFERRED, CaseState.ERASED)


def case_routes(app: Flask) -> dict[str, set[str]]:
    """Endpoint -> methods of every route whose URL names a case or one of its records."""
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.arguments & CASE_ARGUMENTS:
            methods = set(rule.methods or ()) - {"HEAD", "OPTIONS"}
            found.setdefault(rule.endpoint, set()).update(methods)
    return found


def test_every_case_route_is_walked_or_excluded(app: Flask) -> None:
    routes = case_routes(app)
    assert set(routes) == set(CHANGES) | set(EXCLUDED), (
        "classify the new case route: add it to CHANGES (with the change it makes) or to "
        "EXCLUDED (with the reason)"
    )
    assert not set(CHANGES) & set(EXCLUDED)
    assert {e for e in CHANGES if "POST" not in routes[e]} == set(), "a change is a POST"
    assert {e for e in EXCLUDED if routes[e] != {"GET"}} == set(), "an exclusion only reads"


def test_the_table_rules_on_every_change() -> None:
    assert set(ALLOWED) == set(Change)
    # The lead's decisions, cell by cell where they are explicit.
    closed = {CaseState.CLOSED, CaseState.CLOSED_REFERRED}
    assert ALLOWED[Change.WITHDRAW_CONSENT] == {CaseState.OPEN, *closed}
    assert ALLOWED[Change.REOPEN] == closed
    assert ALLOWED[Change.ERASE] == closed
    # A case closed as referred continues with the agencies it went to (0090): only they act.
    assert ALLOWED[Change.ACCEPT_REFERRAL] == {CaseState.OPEN, CaseState.CLOSED_REFERRED}
    assert ALLOWED[Change.PROVIDE_REFERRED_SERVICE] == {CaseState.OPEN, CaseState.CLOSED_REFERRED}
    assert ALLOWED[Change.RECORD_SERVICE] == {CaseState.OPEN}
    assert all(CaseState.ERASED not in states for states in ALLOWED.values())
    owners_edits = (
        Change.EDIT_DETAILS,
        Change.ADD_NOTE,
        Change.RECORD_CONSENT,
        Change.ADD_ATTACHMENT,
        Change.DELETE_ATTACHMENT,
        Change.ASSIGN,
        Change.REFER,
    )
    assert all(ALLOWED[change] == {CaseState.OPEN} for change in owners_edits)


# ---- the world: a case with a record of every kind, closed or erased --------------------------


@dataclass
class World:
    app: Flask
    case: Case
    owner: factories.Account  # a supervisor of the owning agency
    receiver: factories.Account  # a supervisor of the agency of the pending referral
    completer: factories.Account  # a supervisor of the agency of the accepted referral
    consent: Consent
    pending_id: Any
    accepted_id: Any
    attachment_id: Any
    service_id: Any
    step_id: Any
    approval_id: Any
    link_id: Any  # a link to `other_reference`, the owner's other case (decision 0114)
    other_reference: str

    def client(self, account: factories.Account) -> FlaskClient:
        client = self.app.test_client()
        sign_in_directly(client, account)
        return client


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 120, 200)).save(out, "PNG")
    return out.getvalue()


def _world(app: Flask, state: CaseState) -> World:
    home = factories.make_agency("Owning Agency", country="TH")
    shelter = factories.make_agency("Shelter Agency", country="TH")
    clinic = factories.make_agency("Clinic Agency", country="KH")
    owner = factories.make_user(Role.SUPERVISOR, home)
    caseworker = factories.make_user(Role.CASEWORKER, home)
    receiver = factories.make_user(Role.SUPERVISOR, shelter)
    completer = factories.make_user(Role.SUPERVISOR, clinic)
    case = factories.make_case(home, assigned_to=caseworker.user, full_name="Walked Person")
    factories.make_consent(case, "registration")
    pending = factories.make_referral(case, shelter, status="pending")
    accepted = factories.make_referral(case, clinic, status="accepted")
    consent = next(c for c in case.consents if c.shared_with_agency_id == shelter.id)
    attachment = add_attachment(
        owner.user, case, kind="legal", filename="letter.png", stream=io.BytesIO(_png())
    )
    record = ServiceRecord(
        case_id=case.id,
        provider_agency_id=home.id,
        service_type="psychosocial_counselling",
        status="in_progress",
        created_by_id=owner.user.id,
    )
    db.session.add(record)
    plan = SupportPlan(case_id=case.id, service_types=["shelter"], plan_types=["SocialCare"])
    db.session.add(plan)
    db.session.flush()
    plan.assessment = "An assessment"
    step = PlanStep(
        case_id=case.id,
        case=case,
        plan_id=plan.id,
        owner_agency_id=home.id,
        due_on=date(2027, 1, 15),
        status="planned",
    )
    approval = PlanApproval(
        case_id=case.id,
        case=case,
        plan_id=plan.id,
        kind="case_plan",
        status="pending",
        requested_by_id=caseworker.user.id,
        requested_at=utcnow(),
    )
    db.session.add_all([step, approval])
    step.description = "A step"
    other = factories.make_case(home, full_name="Linked Person")
    linked = factories.make_case(home, full_name="Another Linked Person")
    link = CaseLink(
        case=case, other_case=linked, pair=pair_of(case.id, linked.id), kind="FamilyMember"
    )
    db.session.add(link)
    db.session.flush()
    record.notes = "Service notes"
    closed_as = "ClosedReferred" if state == CaseState.CLOSED_REFERRED else "Closed"
    case.status, case.closure_reason, case.closed_at = closed_as, "goals_met", utcnow()
    db.session.flush()
    if state == CaseState.ERASED:
        erase_case(None, case, reason="retention")
    db.session.commit()
    return World(
        app,
        case,
        owner,
        receiver,
        completer,
        consent,
        pending.id,
        accepted.id,
        attachment.id,
        record.id,
        step.id,
        approval.id,
        link.id,
        other.reference,
    )


def _actor(world: World, endpoint: str) -> factories.Account:
    if endpoint in {"referrals.accept", "referrals.decline"}:
        return world.receiver
    if endpoint == "referrals.complete":
        return world.completer
    return world.owner


def _path(world: World, endpoint: str) -> str:
    arguments = next(r.arguments for r in world.app.url_map.iter_rules(endpoint))
    values = {
        "case_id": world.case.id,
        "consent_id": world.consent.id,
        "attachment_id": world.attachment_id,
        "referral_id": world.accepted_id if endpoint == "referrals.complete" else world.pending_id,
        "service_id": world.service_id,
        "step_id": world.step_id,
        "approval_id": world.approval_id,
        "link_id": world.link_id,
    }
    with world.app.test_request_context():
        return url_for(endpoint, **{name: values[name] for name in arguments})


def _page(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def _offers_form(page: str, path: str) -> bool:
    """The page holds a form that posts to `path` (named, or the page's own address)."""
    return (
        f'action="{path}"' in page
        or re.search(r"<form method=\"post\"(?![^>]*action=)", page) is not None
    )


def _erased_child(state: CaseState, endpoint: str) -> bool:
    """Erasure deletes a case's files: their routes find nothing (404), as for any missing
    record, and change nothing."""
    return state == CaseState.ERASED and endpoint in {
        "cases.delete_attachment",
    }


@pytest.mark.parametrize("state", STATES, ids=str)
def test_every_change_route_against_the_case_state(app: Flask, state: CaseState) -> None:
    world = _world(app, state)
    clients: dict[str, FlaskClient] = {}
    walked = []
    for endpoint, change in sorted(CHANGES.items()):
        actor = _actor(world, endpoint)
        client = clients.get(actor.user.email) or world.client(actor)
        clients[actor.user.email] = client
        path = _path(world, endpoint)
        methods = case_routes(app)[endpoint]
        db.session.expire_all()
        case = db.session.get(Case, world.case.id)
        with app.test_request_context():
            login_user(actor.user)  # the message names a day in the actor's agency's zone
            message = refusal(case, change)
        allowed = state in ALLOWED[change]
        assert (message is None) == allowed
        before = snapshot()
        if _erased_child(state, endpoint):
            assert client.get(path).status_code == 404, endpoint
            assert snapshot() == before, endpoint
            walked.append(endpoint)
            continue
        if "GET" in methods:
            response = client.get(path, follow_redirects=True)
            assert response.status_code < 500, (endpoint, response.status_code)
            if allowed:
                assert response.status_code == 200, endpoint
                assert _offers_form(_page(response), path), f"{endpoint}: no form"
            else:
                assert message in _page(response), (endpoint, state)
                assert f'action="{path}"' not in _page(response), f"{endpoint}: a form"
                assert response.request.path != path or not _offers_form(_page(response), path)
            assert snapshot() == before, endpoint
        if not allowed:
            data = POSTED.get(endpoint, lambda w: {})(world)
            token = csrf_token(client, "/account")
            response = client.post(path, data={**data, "csrf_token": token}, follow_redirects=True)
            assert response.status_code < 500, (endpoint, response.status_code)
            assert message in _page(response), (endpoint, state)
            assert snapshot() == before, f"{endpoint}: refused, yet the database changed"
        walked.append(endpoint)
    assert sorted(walked) == sorted(CHANGES)


def test_a_consent_can_be_withdrawn_on_a_closed_case(app: Flask) -> None:
    """A person's withdrawal always takes effect, even once the case is closed (0010)."""
    world = _world(app, CaseState.CLOSED)
    client = world.client(world.owner)
    path = _path(world, "cases.withdraw_consent")
    response = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    db.session.expire_all()
    consent = db.session.get(Consent, world.consent.id)
    assert consent is not None
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_by_id == world.owner.user.id


def test_a_closed_case_shows_no_button_the_table_refuses(app: Flask) -> None:
    """The case page asks the same table: on a closed case the owners' edit buttons are gone,
    the ones the decision keeps (withdraw, re-open, erase) are there."""
    world = _world(app, CaseState.CLOSED)
    page = _page(world.client(world.owner).get(f"/cases/{world.case.id}"))
    for gone in ("edit", "notes", "consents/new", "attachments/new", "assign"):
        assert f"/cases/{world.case.id}/{gone}" not in page, gone
    for kept in ("reopen", "erase", f"consents/{world.consent.id}/withdraw"):
        assert f"/cases/{world.case.id}/{kept}" in page, kept
    assert f"/referrals/new/{world.case.id}" not in page
    assert f"/services/new/{world.case.id}" not in page
