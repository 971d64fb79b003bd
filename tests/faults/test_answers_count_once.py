"""Every answer counts once (issue 13, item 6): the same form sent by ten or more requests at
once, through the running app (threads, each request in its own app context and database
connection), on a SQLite file and on PostgreSQL.

The audit found: a registration submitted twice made two cases; a referral accepted twice wrote
duplicate events and notifications, and an accept racing a decline recorded both; the same
consent recorded twice left two current consents; a closure request or approval sent twice
answered 500 although it was saved. Here each race has exactly one effect, and every loser gets
a page that says what happened (never a 500).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from casework.audit.models import AuditEvent
from casework.cases.models import Case, Consent, TimelineEntry
from casework.core.extensions import db
from casework.notifications.models import Notification
from casework.policy import Role
from casework.referrals.models import Referral
from tests import factories
from tests.cases.helpers import registration_data, registration_tokens
from tests.conftest import csrf_token, sign_in
from tests.test_migrations import postgres_scratch_url  # noqa: F401 - shared fixture

ATTEMPTS = 12


@pytest.fixture(params=["sqlite", "postgresql"])
def racing_app(request: pytest.FixtureRequest, own_app: Callable[..., Flask], tmp_path) -> Flask:
    """An app of its own on a SQLite file, or on a scratch PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/race.sqlite3"
    else:
        url = str(request.getfixturevalue("postgres_scratch_url"))
    return own_app(SQLALCHEMY_DATABASE_URI=url)


@pytest.fixture
def ctx(racing_app: Flask) -> Iterator[Flask]:
    with racing_app.app_context():
        yield racing_app


def race(attempts: list[Callable[[], Any]]) -> list[Any]:
    """Run every attempt in its own thread, all released at once; their results in order."""
    start = threading.Barrier(len(attempts))
    results: list[Any] = [None] * len(attempts)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = attempts[i]()
        except BaseException as error:  # a crash must fail the test, not vanish in a thread
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    crashes = [r for r in results if isinstance(r, BaseException)]
    assert crashes == []
    return results


def clones(app: Flask, client: FlaskClient, n: int) -> list[FlaskClient]:
    """`n` clients on `client`'s session (one person, several tabs or retries)."""
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    assert cookie is not None
    copies = []
    for _ in range(n):
        copy = app.test_client()
        copy.set_cookie(name, cookie.value)
        copies.append(copy)
    return copies


def signed_in(app: Flask, account: factories.Account) -> FlaskClient:
    client = app.test_client()
    sign_in(client, account)
    return client


def count(model: type, *where: Any) -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def no_server_error(responses: list[Any]) -> None:
    assert [r.status_code for r in responses if r.status_code >= 500] == []


@dataclass
class People:
    home: Any
    other: Any
    caseworker: factories.Account
    supervisor: factories.Account
    second_supervisor: factories.Account
    partner: factories.Account


@pytest.fixture
def people(ctx: Flask) -> People:
    home = factories.make_agency("Home Agency", country="TH")
    other = factories.make_agency("Other Agency", country="KH")
    other.services_offered = ["psychosocial_counselling"]
    result = People(
        home,
        other,
        factories.make_user(Role.CASEWORKER, home),
        factories.make_user(Role.SUPERVISOR, home),
        factories.make_user(Role.SUPERVISOR, home),
        factories.make_user(Role.PARTNER, other),
    )
    db.session.commit()
    return result


def _case(people: People) -> Case:
    case = factories.make_case(people.home, assigned_to=people.caseworker.user)
    factories.make_consent(case, "registration")
    db.session.commit()
    return case


# ---- registration ------------------------------------------------------------------------


def test_a_registration_sent_many_times_at_once_registers_one_case(
    ctx: Flask, people: People
) -> None:
    client = signed_in(ctx, people.caseworker)
    data = {**registration_data(), **registration_tokens(client)}
    tabs = clones(ctx, client, ATTEMPTS)
    responses = race([lambda c=c: c.post("/cases/new", data=data) for c in tabs])
    no_server_error(responses)
    assert count(Case) == 1
    [case_id] = db.session.scalars(select(Case.id)).all()
    # Every request, the first and the repeats, lands on the one case.
    assert {r.status_code for r in responses} <= {302, 303}
    assert {r.headers["Location"].rsplit("/", 1)[-1] for r in responses} == {str(case_id)}
    assert count(AuditEvent, AuditEvent.action == "case.registered") == 1
    # The repeat says so on the case page.
    page = tabs[0].get(f"/cases/{case_id}").get_data(as_text=True)
    assert "This form had already been sent" in page or "registered." in page


def test_a_registration_refused_can_be_corrected_and_sent_with_the_same_form(
    ctx: Flask, people: People
) -> None:
    """A refused submission (422) rolls its claim back: the corrected form goes through."""
    client = signed_in(ctx, people.caseworker)
    tokens = registration_tokens(client)
    refused = client.post("/cases/new", data={**registration_data(full_name=None), **tokens})
    assert refused.status_code == 422
    assert client.post("/cases/new", data={**registration_data(), **tokens}).status_code == 302
    assert count(Case) == 1


def test_a_registration_without_its_token_is_refused(ctx: Flask, people: People) -> None:
    client = signed_in(ctx, people.caseworker)
    tokens = registration_tokens(client)
    response = client.post(
        "/cases/new", data={**registration_data(), "csrf_token": tokens["csrf_token"]}
    )
    assert response.status_code == 422
    assert "This form is out of date" in response.get_data(as_text=True)
    assert count(Case) == 0


# ---- referral answers --------------------------------------------------------------------


def _pending_referral(people: People) -> Referral:
    case = _case(people)
    referral = factories.make_referral(case, people.other, created_by=people.caseworker.user)
    db.session.commit()
    return referral


def _answers(referral_id: uuid.UUID) -> list[str]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.target_id == str(referral_id),
            AuditEvent.action.in_(["referral.accepted", "referral.declined"]),
        )
    )
    return sorted(rows)


def test_a_referral_accepted_many_times_at_once_is_accepted_once(
    ctx: Flask, people: People
) -> None:
    referral = _pending_referral(people)
    client = signed_in(ctx, people.partner)
    path = f"/referrals/{referral.id}"
    token = csrf_token(client, path)
    tabs = clones(ctx, client, ATTEMPTS)
    responses = race(
        [lambda c=c: c.post(f"{path}/accept", data={"csrf_token": token}) for c in tabs]
    )
    no_server_error(responses)
    assert sorted(r.status_code for r in responses) == [303] + [409] * (ATTEMPTS - 1)
    loser = next(r for r in responses if r.status_code == 409)
    assert "This referral has already been answered." in loser.get_data(as_text=True)
    assert _answers(referral.id) == ["referral.accepted"]
    assert count(TimelineEntry, TimelineEntry.kind == "referral.accepted") == 1
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "referral_accepted")
    ).all()
    assert told
    assert len(told) == len(set(told)), "each person is told once"


def test_an_accept_racing_a_decline_has_one_winner(ctx: Flask, people: People) -> None:
    referral = _pending_referral(people)
    client = signed_in(ctx, people.partner)
    path = f"/referrals/{referral.id}"
    token = csrf_token(client, path)
    tabs = clones(ctx, client, ATTEMPTS)
    accept = {"csrf_token": token}
    decline = {"csrf_token": token, "reason": "No counsellor free this month"}
    attempts = [
        (lambda c=c: c.post(f"{path}/accept", data=accept))
        if i % 2
        else (lambda c=c: c.post(f"{path}/decline", data=decline))
        for i, c in enumerate(tabs)
    ]
    responses = race(attempts)
    no_server_error(responses)
    assert sorted(r.status_code for r in responses) == [303] + [409] * (ATTEMPTS - 1)
    answers = _answers(referral.id)
    assert len(answers) == 1
    db.session.expire_all()
    stored = db.session.get_one(Referral, referral.id)
    if answers == ["referral.accepted"]:
        assert (stored.status, stored.decline_reason) == ("accepted", None)
    else:
        assert stored.status == "declined"
        assert stored.decline_reason == "No counsellor free this month"


# ---- consents ----------------------------------------------------------------------------


def test_the_same_consent_recorded_many_times_at_once_is_one_current_consent(
    ctx: Flask, people: People
) -> None:
    case = _case(people)
    caseworker = signed_in(ctx, people.caseworker)
    supervisor = signed_in(ctx, people.supervisor)
    path = f"/cases/{case.id}/consents/new"
    data = {
        "purpose": "sharing",
        "agency_id": str(people.other.id),
        "given_on": "2026-03-20",
        "method": "verbal_witnessed",
    }
    tabs = [
        (tab, token)
        for client in (caseworker, supervisor)
        for token in [csrf_token(client, path)]
        for tab in clones(ctx, client, ATTEMPTS // 2)
    ]
    responses = race(
        [lambda c=c, t=t: c.post(path, data={**data, "csrf_token": t}) for c, t in tabs]
    )
    no_server_error(responses)
    assert sorted(r.status_code for r in responses) == [302] + [422] * (ATTEMPTS - 1)
    loser = next(r for r in responses if r.status_code == 422)
    assert "A current consent for this already exists" in loser.get_data(as_text=True)
    current = Consent.withdrawn_at.is_(None), Consent.purpose == "sharing"
    assert count(Consent, *current) == 1
    assert count(AuditEvent, AuditEvent.action == "consent.recorded") == 1


def test_a_consent_withdrawn_many_times_at_once_is_withdrawn_once(
    ctx: Flask, people: People
) -> None:
    case = _case(people)
    consent = factories.make_consent(case, "statistics")
    db.session.commit()
    client = signed_in(ctx, people.caseworker)
    path = f"/cases/{case.id}/consents/{consent.id}/withdraw"
    token = csrf_token(client, path)
    responses = race(
        [
            lambda c=c: c.post(path, data={"csrf_token": token})
            for c in clones(ctx, client, ATTEMPTS)
        ]
    )
    no_server_error(responses)
    assert count(AuditEvent, AuditEvent.action == "consent.withdrawn") == 1


# ---- closure -----------------------------------------------------------------------------


def test_a_closure_request_sent_many_times_at_once_is_recorded_once(
    ctx: Flask, people: People
) -> None:
    case = _case(people)
    client = signed_in(ctx, people.caseworker)
    path = f"/cases/{case.id}/closure/request"
    data = {"csrf_token": csrf_token(client, path), "reason": "goals_met", "status": "Closed"}
    responses = race([lambda c=c: c.post(path, data=data) for c in clones(ctx, client, ATTEMPTS)])
    no_server_error(responses)
    assert sorted(r.status_code for r in responses) == [302] + [422] * (ATTEMPTS - 1)
    loser = next(r for r in responses if r.status_code == 422)
    assert "Closure has already been requested" in loser.get_data(as_text=True)
    assert count(AuditEvent, AuditEvent.action == "case.closure_requested") == 1


def _requested(ctx: Flask, people: People) -> Case:
    case = _case(people)
    client = signed_in(ctx, people.caseworker)
    path = f"/cases/{case.id}/closure/request"
    data = {"csrf_token": csrf_token(client, path), "reason": "goals_met", "status": "Closed"}
    assert client.post(path, data=data).status_code == 302
    return case


def test_a_closure_approved_many_times_at_once_closes_the_case_once(
    ctx: Flask, people: People
) -> None:
    case = _requested(ctx, people)
    first = signed_in(ctx, people.supervisor)
    second = signed_in(ctx, people.second_supervisor)
    path = f"/cases/{case.id}/closure/decide"
    tabs = [
        (tab, token)
        for client in (first, second)
        for token in [csrf_token(client, path)]
        for tab in clones(ctx, client, ATTEMPTS // 2)
    ]
    responses = race(
        [
            lambda c=c, t=t: c.post(path, data={"decision": "approve", "csrf_token": t})
            for c, t in tabs
        ]
    )
    no_server_error(responses)
    assert count(AuditEvent, AuditEvent.action == "case.closure_approved") == 1
    assert count(TimelineEntry, TimelineEntry.kind == "case.closure_approved") == 1
    db.session.expire_all()
    assert db.session.get_one(Case, case.id).status == "Closed"
    # One winner redirected to the case; the others were told: on the form (422), or on the
    # case page that says the case is closed (303).
    codes = sorted(r.status_code for r in responses)
    assert codes.count(302) == 1
    assert set(codes) - {302} <= {303, 422}


def test_an_approval_racing_a_rejection_has_one_decision(ctx: Flask, people: People) -> None:
    case = _requested(ctx, people)
    supervisor = signed_in(ctx, people.supervisor)
    path = f"/cases/{case.id}/closure/decide"
    token = csrf_token(supervisor, path)
    approve = {"decision": "approve", "csrf_token": token}
    reject = {"decision": "reject", "note": "risk_unresolved", "csrf_token": token}
    tabs = clones(ctx, supervisor, ATTEMPTS)
    responses = race(
        [
            (lambda c=c: c.post(path, data=approve))
            if i % 2
            else (lambda c=c: c.post(path, data=reject))
            for i, c in enumerate(tabs)
        ]
    )
    no_server_error(responses)
    decided = count(
        AuditEvent, AuditEvent.action.in_(["case.closure_approved", "case.closure_rejected"])
    )
    assert decided == 1


# ---- referral creation -------------------------------------------------------------------


def test_a_referral_sent_many_times_at_once_is_created_once(ctx: Flask, people: People) -> None:
    """The audit did not try it; it counted twice on the code before (the open-referral check
    was read before any of the racing requests had written)."""
    case = _case(people)
    factories.make_consent(case, "sharing", agency=people.other)
    db.session.commit()
    client = signed_in(ctx, people.caseworker)
    path = f"/referrals/new/{case.id}"
    data = {
        "to_agency_id": str(people.other.id),
        "services": "psychosocial_counselling",
        "urgency": "routine",
        "reason": "Counselling after return",
        "shared_groups": "trafficking_context",
        "csrf_token": csrf_token(client, path),
    }
    tabs = clones(ctx, client, ATTEMPTS)
    responses = race([lambda c=c: c.post(path, data=data) for c in tabs])
    no_server_error(responses)
    assert count(Referral, Referral.case_id == case.id) == 1
    assert sorted(r.status_code for r in responses) == [303] + [422] * (ATTEMPTS - 1)
    loser = next(r for r in responses if r.status_code == 422)
    assert "This case already has an open referral to" in loser.get_data(as_text=True)
    assert count(AuditEvent, AuditEvent.action == "referral.created") == 1
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "referral_received")
    ).all()
    assert told
    assert len(told) == len(set(told)), "each person is told once"
