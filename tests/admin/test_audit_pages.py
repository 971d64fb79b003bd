"""The sign-in history and the audit trail pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, update

from casework import audit
from casework.audit.models import AuditEvent
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.admin.conftest import audit_events, post_form, text
from tests.conftest import sign_in
from tests.security.helpers import post_password

ROW = re.compile(r"<tr>\s*<td", re.S)


def rows(page: str) -> int:
    return len(ROW.findall(page))


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_sign_ins_show_who_and_when(admin_client, app, client) -> None:
    worker = factories.make_user(Role.CASEWORKER)
    db.session.commit()
    sign_in(app.test_client(), worker)  # the real two steps: their audit events are the subject
    post_password(client, worker.user.email, "wrong password entirely")
    post_password(client, "nobody@nowhere.org", "wrong password entirely")
    audit.record("user.updated", actor=worker.user, target=worker.user)  # not a sign-in
    db.session.commit()

    page = text(admin_client.get("/admin/sign-ins"))
    assert worker.user.email in page
    assert "sign_in.success" in page
    assert "Signed in" in page  # the event in words, its code beside it for the filter
    assert "Sign-in failed: wrong password" in page
    assert "sign_in.password_failed" in page
    assert "<td>Unknown account</td>" in page
    assert "user.updated" not in page
    assert page.index("sign_in.password_failed") < page.index("sign_in.password_ok")  # newest first

    mine = text(admin_client.get(f"/admin/sign-ins?user={worker.user.email.upper()}"))
    assert rows(mine) == 3  # password ok, success, password failed
    assert "<td>Unknown account</td>" not in mine
    by_id = text(admin_client.get(f"/admin/sign-ins?user={worker.user.id}"))
    assert rows(by_id) == 3
    failed = text(admin_client.get(f"/admin/sign-ins?user={worker.user.email}&outcome=failure"))
    assert rows(failed) == 1
    assert "0 results" in text(admin_client.get("/admin/sign-ins?user=ghost@nowhere.org"))
    assert admin_client.get("/admin/sign-ins?outcome=hacked").status_code == 422


def test_sign_ins_include_sign_out_and_lockout(admin_client, client) -> None:
    user = factories.make_user(Role.PARTNER).user
    audit.record("sign_out", actor=user, target=user)
    audit.record("account.locked", actor=user, target=user, outcome="locked")
    audit.record("sign_inx", actor=user, target=user)  # only "sign_in." counts
    db.session.commit()
    page = text(admin_client.get(f"/admin/sign-ins?user={user.id}"))
    assert rows(page) == 2
    assert "sign_out" in page
    assert "account.locked" in page


def test_sign_ins_page_and_resolve_emails_in_one_query(app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "PAGE_SIZE", 50)
    administrator = factories.make_user(Role.ADMIN)
    db.session.commit()
    admin_client = app.test_client()
    sign_in(admin_client, administrator)  # the real two steps: two sign-in events of its own

    def add_sign_ins(n: int) -> None:
        for _ in range(n):
            user = factories.make_user(Role.CASEWORKER).user
            audit.record("sign_in.success", actor=user, target=user)
        db.session.commit()

    add_sign_ins(2)
    with counting_queries() as few:
        assert admin_client.get("/admin/sign-ins").status_code == 200
    add_sign_ins(12)
    with counting_queries() as many:
        page = text(admin_client.get("/admin/sign-ins"))
    assert rows(page) == 16
    assert len(many) == len(few)  # no query per row

    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)
    assert "Page 1 of 4" in text(admin_client.get("/admin/sign-ins"))
    assert rows(text(admin_client.get("/admin/sign-ins?page=4"))) == 1


def test_audit_log_filters(admin, app, monkeypatch) -> None:
    client, account = admin
    other = factories.make_user(Role.SUPERVISOR).user
    agency = factories.make_agency("Audited Agency")
    audit.record("agency.updated", actor=account.user, target=agency, detail="name")
    audit.record("user.updated", actor=other, target=other, detail="name")
    audit.record("access.denied", actor=other, outcome="denied", detail="user.manage")
    db.session.commit()

    page = text(client.get("/admin/audit"))
    assert "flask --app wsgi audit verify" in page
    assert "Audited Agency" in page  # agency targets named
    assert other.email in page  # actors and user targets resolved

    assert rows(text(client.get("/admin/audit?action=agency."))) == 1
    assert rows(text(client.get("/admin/audit?action=user.updated"))) == 1
    assert rows(text(client.get(f"/admin/audit?actor={other.email}"))) == 2
    assert rows(text(client.get(f"/admin/audit?target={agency.id}"))) == 1
    assert rows(text(client.get("/admin/audit?outcome=denied"))) == 1
    assert rows(text(client.get("/admin/audit?action=%25"))) == 0  # no wildcards

    today = utcnow().date()
    assert (
        rows(text(client.get(f"/admin/audit?date_from={today}&date_to={today}&action=user."))) == 1
    )
    tomorrow = today + timedelta(days=1)
    assert rows(text(client.get(f"/admin/audit?date_from={tomorrow}"))) == 0
    yesterday = today - timedelta(days=1)
    assert rows(text(client.get(f"/admin/audit?date_to={yesterday}"))) == 0
    backwards = client.get(f"/admin/audit?date_from={today}&date_to={yesterday}")
    assert backwards.status_code == 422
    assert "The end date is before the start date." in text(backwards)
    assert client.get("/admin/audit?date_from=31-31-2026").status_code == 422
    last_day = client.get("/admin/audit?date_to=9999-12-31&action=user.")  # found by fuzzing
    assert last_day.status_code == 200
    assert rows(text(last_day)) == 1

    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    paged = text(client.get("/admin/audit?outcome=success"))
    assert "Page 1 of " in paged
    assert "outcome=success" in paged
    assert rows(paged) == 2


def test_old_events_are_found_by_date(admin_client) -> None:
    user = factories.make_user(Role.PARTNER).user
    audit.record("user.updated", actor=user, target=user, detail="name")
    db.session.commit()
    old = utcnow() - timedelta(days=40)
    db.session.execute(update(AuditEvent).where(AuditEvent.action == "user.updated").values(at=old))
    db.session.commit()
    day = old.date()
    assert rows(text(admin_client.get(f"/admin/audit?date_from={day}&date_to={day}"))) == 1


def test_looking_at_the_trail_is_recorded(admin) -> None:
    client, account = admin
    client.get("/admin/sign-ins")
    client.get("/admin/audit")
    viewed = audit_events("audit.viewed")
    assert [(e.actor_id, e.detail) for e in viewed] == [
        (account.user.id, "sign_ins"),
        (account.user.id, "audit_log"),
    ]


def test_no_audit_event_carries_personal_values(admin_client, login_as) -> None:
    agency = factories.make_agency("Private Shelter Name")
    db.session.commit()
    _user_client, account = login_as(Role.CASEWORKER, agency=agency)
    user = account.user
    post_form(
        admin_client,
        f"/admin/users/{user.id}/edit",
        {
            "email": "changed.person@shelter.org",
            "name": "Changed Person Name",
            "agency_id": str(agency.id),
            "role": "supervisor",
        },
    )
    post_form(
        admin_client,
        f"/admin/agencies/{agency.id}/edit",
        {"name": "Renamed Shelter", "org_type": "LegalService", "country": "VN"},
    )
    post_form(admin_client, f"/admin/users/{user.id}/reset-password")
    post_form(admin_client, f"/admin/users/{user.id}/active", {"active": "0"})
    post_form(admin_client, f"/admin/agencies/{agency.id}/active", {"active": "0"})
    actions = {e.action for e in audit_events()}
    assert {
        "user.updated",
        "agency.updated",
        "user.password_reset",
        "user.deactivated",
        "agency.deactivated",
    } <= actions
    forbidden = ["changed.person", "Changed Person", "Renamed", "Private", "LegalService", "VN"]
    for recorded in audit_events():
        values = " ".join(str(v) for v in (recorded.detail, recorded.target_id, recorded.action))
        for value in forbidden:
            assert value not in values, (recorded.action, value)


def test_audit_trail_names_people_and_case_references(admin) -> None:
    """Words and case references, not UUIDs (issue 16): the actor's name and email, and the
    case reference of a case and of any record of one (a referral, a consent)."""
    client, _account = admin
    home, elsewhere = factories.make_agency("Home Shelter"), factories.make_agency("Partner NGO")
    worker = factories.make_user(Role.CASEWORKER, home).user
    case = factories.make_case(home, assigned_to=worker)
    referral = factories.make_referral(case, elsewhere)
    consent = factories.make_consent(case, "statistics")
    db.session.flush()
    audit.record("case.registered", actor=worker, target=case)
    audit.record("referral.created", actor=worker, target=referral)
    audit.record("consent.recorded", actor=worker, target=consent)
    db.session.commit()

    page = text(client.get("/admin/audit"))
    assert worker.name in page
    assert worker.email in page
    assert page.count(case.reference) >= 3
    assert f"case {case.reference}" in page
    for record in (case, referral, consent):
        assert str(record.id) not in page
    assert str(worker.id) not in page


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/sign-ins", "/admin/users"])
def test_a_page_number_is_a_whole_number_or_refused_alike(admin, path: str) -> None:
    """`?page=` probes (`1 AND 1=1` / `1 AND 1=2`, text, signs, 0, numbers too large for an
    OFFSET) all get one and the same 400, never page 1 or an echo of the value; a page past
    the last shows the last."""
    client, _account = admin
    # What differs between any two requests: the CSRF token (signed anew) and the request's id.
    token = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+|(Reference: <code>)[0-9a-f]+')

    def answer(value: str) -> tuple[int, str]:
        response = client.get(path, query_string={"page": value})
        return response.status_code, token.sub(r"\1\2", text(response))

    refused = {
        value: answer(value)
        for value in (
            "1 AND 1=1",
            "1 AND 1=2",
            "1' AND '1'='1",
            "1)",
            "abc",
            "",
            "0",
            "-1",
            "+1",
            " 1",
            "1.0",
            "\u0661",  # an Arabic-Indic one: a digit to str.isdigit, not to us
            "99999999999999999999",
        )
    }
    statuses = {status for status, _body in refused.values()}
    assert statuses == {400}, refused
    assert refused["1 AND 1=1"] == refused["1 AND 1=2"]
    assert len({body for _status, body in refused.values()}) == 1
    assert "AND" not in refused["1 AND 1=1"][1]
    assert client.get(path, query_string={"page": "1"}).status_code == 200
    beyond = client.get(path, query_string={"page": "999"})
    assert beyond.status_code == 200
