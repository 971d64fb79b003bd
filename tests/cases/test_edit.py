"""Editing a case with optimistic locking: two people saving never silently overwrite."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from casework.audit.models import AuditEvent
from casework.cases import operations
from casework.cases.models import Case
from casework.cases.record import CaseInput
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.cases.helpers import form_fields, register
from tests.conftest import csrf_token


def _load(client, case_id) -> dict:
    response = client.get(f"/cases/{case_id}/edit")
    assert response.status_code == 200
    return form_fields(response.get_data(as_text=True))


def _fresh(case_id) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def test_edit_saves_and_audits_the_changed_fields(login_as, agencies) -> None:
    client, account = login_as(Role.CASEWORKER, agency=agencies.a)
    case = register(client)
    version = case.version
    fields = _load(client, case.id)
    fields.update(
        {
            "phone": "+66 89 000 1111",
            "risk_level": "critical",
            "documents-1-doc_type": "national_id",
            "documents-1-number": "ID-778899",
        }
    )
    response = client.post(f"/cases/{case.id}/edit", data=fields)
    assert response.status_code == 302
    case = _fresh(case.id)
    assert case.version == version + 1
    assert case.person.phone == "+66 89 000 1111"
    assert case.risk_level == "critical"
    assert [d.number for d in case.identity_documents] == ["C1234567", "ID-778899"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.updated")).one()
    assert (event.actor_id, event.target_id) == (account.user.id, str(case.id))
    assert set(event.detail.split(",")) == {"phone", "risk_level", "documents"}
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert re.search(r"Case details changed</strong>: [^<]*Phone", page)
    # Saving again without changes writes nothing.
    response = client.post(f"/cases/{case.id}/edit", data=_load(client, case.id))
    assert response.status_code == 302
    assert _fresh(case.id).version == version + 1
    assert "Nothing was changed" in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_concurrent_edit_the_second_is_told_and_sees_what_changed(login_as, agencies) -> None:
    first, _account = login_as(Role.CASEWORKER, agency=agencies.a)
    case = register(first)
    second, _ = login_as(Role.SUPERVISOR, agency=agencies.a)
    mine = _load(first, case.id)
    theirs = _load(second, case.id)
    # The supervisor saves first: a new phone, a new risk level, another exploitation type.
    theirs.update(
        {
            "phone": "+66 80 111 2222",
            "risk_level": "low",
            "exploitation_type": ["ForcedLabour", "ForcedBegging"],
        }
    )
    assert second.post(f"/cases/{case.id}/edit", data=theirs).status_code == 302
    # The caseworker saves a form loaded before that: a different phone, and a new address.
    mine.update({"phone": "+66 80 333 4444", "address": "Zq Road 12, Bangkok"})
    response = first.post(f"/cases/{case.id}/edit", data=mine)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved this case" in html
    conflict = html[
        html.index('id="conflict"') : html.index("</section>", html.index('id="conflict"'))
    ]
    # Every field the other person changed is listed by its label, with the saved value.
    assert "Phone" in conflict
    assert "+66 80 111 2222" in conflict
    assert "Risk level" in conflict
    assert "Low" in conflict
    assert "Types of exploitation" in conflict
    assert "Forced begging" in conflict
    assert "Address" not in conflict  # only this user changed it
    assert "Your value is kept" in conflict  # the phone: both changed it
    assert "Updated to the saved value" in conflict  # risk level, exploitation: only theirs
    # Nothing was saved, and nothing of either side is lost.
    saved = _fresh(case.id)
    assert saved.person.phone == "+66 80 111 2222"
    assert saved.person.address is None
    again = form_fields(html)
    assert again["phone"] == "+66 80 333 4444"  # what the user typed stays
    assert again["address"] == "Zq Road 12, Bangkok"
    assert again["risk_level"] == "low"  # the other person's change, taken over
    assert sorted(again["exploitation_type"]) == ["ForcedBegging", "ForcedLabour"]
    assert again["version"] == str(saved.version)
    # Saving the reviewed form now works, and keeps both people's changes.
    assert first.post(f"/cases/{case.id}/edit", data=again).status_code == 302
    final = _fresh(case.id)
    assert (final.person.phone, final.person.address, final.risk_level) == (
        "+66 80 333 4444",
        "Zq Road 12, Bangkok",
        "low",
    )
    assert final.codes_of("exploitation_type") == ["ForcedBegging", "ForcedLabour"]


def test_a_form_without_its_version_is_a_conflict_not_an_overwrite(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    case = register(client)
    fields = _load(client, case.id)
    for tampered in ({"version": ""}, {"version": "abc"}, {"version": "0"}, {"base": "junk"}):
        data = {**fields, "phone": "+66 1", **tampered}
        response = client.post(f"/cases/{case.id}/edit", data=data)
        if "version" in tampered:
            assert response.status_code == 409, tampered
    assert _fresh(case.id).person.phone in ("+66 81 234 5678", "+66 1")


def test_update_operation_refuses_a_stale_version_and_a_race_at_flush(agencies) -> None:
    account = factories.make_user(Role.CASEWORKER, agencies.a)
    case = factories.make_case(agencies.a, assigned_to=account.user)
    db.session.commit()
    data = CaseInput.from_case(case).form_data() | {"risk_level": "low"}
    with pytest.raises(operations.EditConflict):
        operations.update_case(account.user, case, data, base_version=case.version - 1)
    # Someone else's UPDATE lands between loading and flushing.
    loaded = case.version
    db.session.execute(text("UPDATE cases SET version = version + 1"))
    with pytest.raises(operations.EditConflict):
        operations.update_case(account.user, case, data, base_version=loaded)
    assert _fresh(case.id).risk_level == "medium"


def test_edit_validation_errors_keep_input(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    case = register(client)
    fields = _load(client, case.id)
    fields.update({"full_name": "", "phone": "+66 99 999 9999", "gender": "Robot"})
    response = client.post(f"/cases/{case.id}/edit", data=fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="+66 99 999 9999"' in html
    assert re.search(r'id="full_name-error"', html)
    assert re.search(r'id="gender-error"', html)
    assert _fresh(case.id).person.phone == "+66 81 234 5678"


def test_crafted_fields_on_edit_are_ignored(login_as, agencies) -> None:
    client, account = login_as(Role.CASEWORKER, agency=agencies.a)
    case = register(client)
    stranger = factories.make_user(Role.CASEWORKER, agencies.b).user
    db.session.commit()
    fields = _load(client, case.id)
    fields.update(
        {
            "agency_id": str(agencies.b.id),
            "assigned_to_id": str(stranger.id),
            "owner": str(stranger.id),
            "status": "Closed",
            "reference": "XX-0000-000000",
            "risk_level": "low",
        }
    )
    assert client.post(f"/cases/{case.id}/edit", data=fields).status_code == 302
    saved = _fresh(case.id)
    assert (saved.agency_id, saved.assigned_to_id, saved.status) == (
        agencies.a.id,
        account.user.id,
        "Active",
    )
    assert saved.reference == case.reference
    assert saved.risk_level == "low"


def test_only_who_may_edit_reaches_the_edit_form(login_as, agencies) -> None:
    owner, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    case = register(owner)
    colleague, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    supervisor_b, _ = login_as(Role.SUPERVISOR, agency=agencies.b)
    fields = _load(owner, case.id)
    for client in (colleague, supervisor_b):
        assert client.get(f"/cases/{case.id}/edit").status_code == 404
        own_token = {"csrf_token": csrf_token(client, "/account")}
        assert client.post(f"/cases/{case.id}/edit", data=fields | own_token).status_code == 404
    assert _fresh(case.id).version == case.version
