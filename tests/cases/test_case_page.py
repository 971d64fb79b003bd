"""The case page: who may open it (404 otherwise), what each viewer sees, every read audited,
notes, and the printable summary."""

from __future__ import annotations

from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.cases.models import CaseNote
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.security.helpers import events, last_seq

NAME = "Srey Mom Chan"


def _case(agency, assigned_to=None, **kwargs):
    case = factories.make_case(
        agency, assigned_to=assigned_to, full_name=NAME, phone="+855 12 345 678", **kwargs
    )
    case.person.other_names = "Mommy"
    db.session.commit()
    return case


def test_a_caseworker_gets_404_for_another_agencys_case_and_a_colleagues(
    login_as, agencies
) -> None:
    client, account = login_as(Role.CASEWORKER, agency=agencies.a)
    colleague = factories.make_user(Role.CASEWORKER, agencies.a).user
    other_agency = _case(agencies.b)
    colleagues = _case(agencies.a, assigned_to=colleague)
    unassigned = _case(agencies.a)
    for case in (other_agency, colleagues, unassigned):
        for path in (f"/cases/{case.id}", f"/cases/{case.id}/edit", f"/cases/{case.id}/summary"):
            seq = last_seq()
            response = client.get(path)
            assert response.status_code == 404, path
            body = response.get_data(as_text=True)
            assert NAME not in body
            assert case.reference not in body
            assert [(e.action, e.actor_id, e.outcome) for e in events(after_seq=seq)] == [
                ("access.denied", account.user.id, "denied")
            ]
            assert events("case.viewed", after_seq=seq) == []
    # The same 404 as an id that does not exist.
    missing = client.get("/cases/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert missing.get_data(as_text=True).count("Page not found") == response.get_data(
        as_text=True
    ).count("Page not found")


def test_every_read_is_an_audit_event(login_as, agencies) -> None:
    client, account = login_as(Role.CASEWORKER, agency=agencies.a)
    case = _case(agencies.a, assigned_to=account.user)
    seq = last_seq()
    for _ in range(3):
        assert client.get(f"/cases/{case.id}").status_code == 200
    assert client.get(f"/cases/{case.id}/summary").status_code == 200
    assert client.get(f"/cases/{case.id}/edit").status_code == 200
    reads = events("case.viewed", after_seq=seq)
    assert [(e.actor_id, e.target_id, e.detail) for e in reads] == [
        (account.user.id, str(case.id), "page"),
        (account.user.id, str(case.id), "page"),
        (account.user.id, str(case.id), "page"),
        (account.user.id, str(case.id), "print"),
        (account.user.id, str(case.id), "edit"),
    ]
    # The page lists who opened the record.
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Opened 6 times in all." in html
    assert account.user.name in html


def test_the_owning_agency_sees_every_section(login_as, agencies) -> None:
    client, _account = login_as(Role.SUPERVISOR, agency=agencies.a)
    case = _case(agencies.a, documents=(("passport", "N1234567"),))
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    for shown in (
        NAME,
        "Mommy",
        "+855 12 345 678",
        "N1234567",
        "Forced labour",
        "Trafficking context",
        "Notes",
        "Timeline",
    ):
        assert shown in html, shown
    assert f"/cases/{case.id}/edit" in html


def test_a_partner_sees_only_what_the_referral_shares(login_as, agencies) -> None:
    client, _ = login_as(Role.PARTNER, agency=agencies.b)
    case = _case(agencies.a, documents=(("passport", "N1234567"),))
    factories.make_referral(
        case, agencies.b, status="accepted", shared_groups=("trafficking_context",)
    )
    db.session.commit()
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert case.reference in html
    assert "Forced labour" in html  # the shared group
    for hidden in (NAME, "Mommy", "+855 12 345 678", "N1234567", "Risk level", "New note"):
        assert hidden not in html, hidden
    assert f"/cases/{case.id}/edit" not in html
    printed = client.get(f"/cases/{case.id}/summary").get_data(as_text=True)
    assert "Forced labour" in printed
    assert NAME not in printed
    # Without an accepted referral: 404.
    unshared = _case(agencies.a)
    factories.make_referral(unshared, agencies.b, status="pending")
    db.session.commit()
    assert client.get(f"/cases/{unshared.id}").status_code == 404
    assert client.post(f"/cases/{case.id}/notes", data={}).status_code in (400, 404)


def test_partner_with_identity_shared_sees_the_person(login_as, agencies) -> None:
    client, _ = login_as(Role.PARTNER, agency=agencies.b)
    case = _case(agencies.a)
    factories.make_referral(
        case, agencies.b, status="accepted", shared_groups=("identity_contact",)
    )
    db.session.commit()
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert NAME in html
    assert "Forced labour" not in html


def test_notes_are_encrypted_signed_and_kept_on_error(login_as, agencies) -> None:
    from tests.conftest import csrf_token

    client, account = login_as(Role.CASEWORKER, agency=agencies.a)
    case = _case(agencies.a, assigned_to=account.user)
    token = csrf_token(client, f"/cases/{case.id}")
    response = client.post(
        f"/cases/{case.id}/notes",
        data={"csrf_token": token, "category": "case_management", "body": "Zqnote met the family"},
    )
    assert response.status_code == 302
    note = db.session.scalars(select(CaseNote)).one()
    assert note.author_id == account.user.id
    assert b"Zqnote" not in note.body_ct
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Zqnote met the family" in html
    assert "Note added" in html
    # Too long: refused, shown again with the text as typed, the read still audited.
    seq = last_seq()
    long_note = "Zqlong " + "x" * 5000
    response = client.post(
        f"/cases/{case.id}/notes",
        data={"csrf_token": token, "category": "case_management", "body": long_note},
    )
    assert response.status_code == 422
    assert long_note in response.get_data(as_text=True)
    assert len(events("case.viewed", after_seq=seq)) == 1
    assert db.session.scalars(select(CaseNote)).all() == [note]
    added = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.note_added")
    ).one()
    assert added.detail == str(case.id)


def test_printable_summary_has_a_print_stylesheet_and_no_forms(login_as, agencies) -> None:
    client, account = login_as(Role.CASEWORKER, agency=agencies.a)
    case = _case(agencies.a, assigned_to=account.user)
    html = client.get(f"/cases/{case.id}/summary").get_data(as_text=True)
    assert NAME in html
    assert "Confidential" in html
    assert "<textarea" not in html
    assert "js/print.js" in html
    css = client.get("/static/casework.css").get_data(as_text=True)
    assert "@media print" in css
