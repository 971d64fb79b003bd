"""Agencies: create, edit, deactivate and reactivate, list and search, end to end."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casework.agencies.models import Agency
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.admin.conftest import audit_events, post_form, text

NEW = "/admin/agencies/new"


def agency_named(name: str) -> Agency | None:
    db.session.expire_all()
    return db.session.execute(select(Agency).where(Agency.name == name)).scalar_one_or_none()


def test_create_agency(admin) -> None:
    client, account = admin
    response = post_form(
        client, NEW, {"name": "  Mekong   Safe Shelter ", "org_type": "NGO", "country": "KH"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/agencies")
    agency = agency_named("Mekong Safe Shelter")  # spaces tidied
    assert agency is not None
    assert (agency.org_type, agency.country, agency.active) == ("NGO", "KH", True)
    [event] = audit_events("agency.created")
    assert (event.actor_id, event.target_type, event.target_id) == (
        account.user.id,
        "agencies",
        str(agency.id),
    )
    assert event.detail == "name,org_type,country,time_zone,services_offered"
    page = text(client.get("/admin/agencies"))
    assert "The agency has been created." in page
    assert "Mekong Safe Shelter" in page
    assert "Cambodia" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "org_type": "NGO", "country": "TH"}, "name", "Enter the agency"),
        ({"name": "X" * 201, "org_type": "NGO", "country": "TH"}, "name", "200"),
        ({"name": "Typed name", "org_type": "Pirates", "country": "TH"}, "org_type", "valid"),
        ({"name": "Typed name", "org_type": "NGO", "country": "XX"}, "country", "valid"),
        ({"name": "Typed name", "org_type": "NGO", "country": ""}, "country", "Choose"),
    ],
)
def test_invalid_agency_is_shown_again_with_422(admin_client, data, field, message) -> None:
    response = post_form(admin_client, NEW, data)
    assert response.status_code == 422
    page = text(response)
    assert f'id="{field}-error"' in page
    assert message in page.split(f'id="{field}-error"')[1].split("</div>")[0]
    assert 'aria-invalid="true"' in page
    if data["name"] == "Typed name":
        assert 'value="Typed name"' in page  # what was typed is kept
    assert db.session.execute(select(func.count(Agency.id))).scalar_one() == 1  # the admin's


def test_duplicate_name_is_a_field_error(admin_client) -> None:
    factories.make_agency("Legal Aid Manila")
    db.session.commit()
    response = post_form(
        admin_client, NEW, {"name": "legal aid  MANILA", "org_type": "NGO", "country": "PH"}
    )
    assert response.status_code == 422
    assert "An agency with this name already exists." in text(response)
    assert 'id="name-error"' in text(response)
    db.session.expire_all()
    assert db.session.execute(select(func.count(Agency.id))).scalar_one() == 2
    assert audit_events("agency.created") == []


def test_crafted_fields_are_ignored(admin_client) -> None:
    response = post_form(
        admin_client,
        NEW,
        {
            "name": "Crafted Agency",
            "org_type": "NGO",
            "country": "TH",
            "role": "admin",
            "active": "0",
            "id": "00000000-0000-0000-0000-000000000001",
            "created_at": "2000-01-01",
        },
    )
    assert response.status_code == 302
    agency = agency_named("Crafted Agency")
    assert agency is not None
    assert agency.active
    assert str(agency.id) != "00000000-0000-0000-0000-000000000001"
    assert agency.created_at.year > 2000
    assert not hasattr(agency, "role")


def test_edit_agency_records_changed_fields_only(admin_client) -> None:
    agency = factories.make_agency("Old Name", country="TH", org_type="NGO")
    db.session.commit()
    path = f"/admin/agencies/{agency.id}/edit"
    page = text(admin_client.get(path))
    assert 'value="Old Name"' in page
    response = post_form(
        admin_client, path, {"name": "New Name", "org_type": "NGO", "country": "TH", "active": "0"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (agency.name, agency.active) == ("New Name", True)
    [event] = audit_events("agency.updated")
    assert event.detail == "name"
    assert "New Name" not in (event.detail or "")
    assert "Old Name" not in (event.detail or "")
    # saving again unchanged writes nothing
    response = post_form(
        admin_client, path, {"name": "New Name", "org_type": "NGO", "country": "TH"}
    )
    assert response.status_code == 302
    assert len(audit_events("agency.updated")) == 1
    assert "Nothing was changed." in text(admin_client.get("/admin/agencies"))


def test_edit_to_a_taken_name_is_a_field_error(admin_client) -> None:
    factories.make_agency("Taken")
    agency = factories.make_agency("Mine")
    db.session.commit()
    path = f"/admin/agencies/{agency.id}/edit"
    response = post_form(admin_client, path, {"name": "TAKEN", "org_type": "NGO", "country": "TH"})
    assert response.status_code == 422
    assert "An agency with this name already exists." in text(response)
    assert 'value="TAKEN"' in text(response)
    db.session.expire_all()
    assert agency.name == "Mine"


def test_unknown_agency_is_404(admin_client) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    assert admin_client.get(f"/admin/agencies/{missing}/edit").status_code == 404
    assert admin_client.get(f"/admin/agencies/{missing}/active").status_code == 404


def test_deactivate_agency_asks_first_and_signs_its_users_out(admin_client, login_as) -> None:
    agency = factories.make_agency("Closing Agency")
    db.session.commit()
    member_client, member = login_as(Role.SUPERVISOR, agency=agency)
    epoch = member.user.session_epoch
    path = f"/admin/agencies/{agency.id}/active"

    confirm = admin_client.get(path)
    assert confirm.status_code == 200
    assert "Deactivate agency" in text(confirm)
    assert "1 active user" in text(confirm)
    db.session.expire_all()
    assert agency.active  # the GET only asked

    response = post_form(admin_client, path, {"active": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    assert not agency.active
    assert member.user.session_epoch == epoch + 1
    [event] = audit_events("agency.deactivated")
    assert (event.target_id, event.detail) == (str(agency.id), "active")

    signed_out = member_client.get("/")
    assert signed_out.status_code == 302
    assert "/sign-in" in signed_out.headers["Location"]

    # sending the same form again changes nothing
    assert post_form(admin_client, path, {"active": "0"}).status_code == 302
    assert len(audit_events("agency.deactivated")) == 1

    response = post_form(admin_client, path, {"active": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert agency.active
    assert len(audit_events("agency.reactivated")) == 1


def test_set_active_needs_an_explicit_state(admin_client) -> None:
    agency = factories.make_agency()
    db.session.commit()
    path = f"/admin/agencies/{agency.id}/active"
    for data in ({}, {"active": "maybe"}):
        assert post_form(admin_client, path, data).status_code == 422
    db.session.expire_all()
    assert agency.active


def test_cannot_deactivate_own_agency(admin) -> None:
    client, account = admin
    path = f"/admin/agencies/{account.user.agency_id}/active"
    response = post_form(client, path, {"active": "0"})
    assert response.status_code == 422
    assert "You cannot deactivate your own agency." in text(response)
    db.session.expire_all()
    assert account.user.agency.active
    assert client.get("/admin/agencies").status_code == 200  # still signed in


def test_list_pages_and_search(admin_client, app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    for n in range(7):
        factories.make_agency(f"Shelter {n:02d}", active=n != 6)
    factories.make_agency("100% Legal")
    db.session.commit()  # with the admin's agency: 9 agencies

    first = text(admin_client.get("/admin/agencies"))
    assert "9 results" in first
    assert "Page 1 of 3" in first
    assert first.count("<tr>") == 4  # header and 3 rows
    third = text(admin_client.get("/admin/agencies?page=3"))
    assert third.count("<tr>") == 4
    assert "Page 3 of 3" in third
    beyond = admin_client.get("/admin/agencies?page=99")
    assert beyond.status_code == 200

    found = text(admin_client.get("/admin/agencies?q=shelter+0"))
    assert "7 results" in found
    assert "Page 1 of 3" in found
    assert "q=shelter" in found  # the pager keeps the search
    # a percent sign is searched for, not a wildcard
    assert "1 result" in text(admin_client.get("/admin/agencies?q=100%25"))
    assert "0 results" in text(admin_client.get("/admin/agencies?q=%25%25"))
    inactive = text(admin_client.get("/admin/agencies?status=inactive"))
    assert "1 result" in inactive
    assert "Shelter 06" in inactive
    assert admin_client.get("/admin/agencies?status=bogus").status_code == 422
    assert admin_client.get("/admin/agencies?q=" + "x" * 101).status_code == 422


def test_an_admin_chooses_an_agency_time_zone(admin) -> None:
    client, _account = admin
    data = {"name": "Papua Shelter", "org_type": "NGO", "country": "ID"}
    assert post_form(client, "/admin/agencies/new", data).status_code == 302
    chosen = {**data, "name": "Jayapura Shelter", "time_zone": "Asia/Jayapura"}
    assert post_form(client, "/admin/agencies/new", chosen).status_code == 302
    zones = dict(db.session.execute(select(Agency.name, Agency.time_zone)).all())
    assert zones["Papua Shelter"] == "Asia/Jakarta"
    assert zones["Jayapura Shelter"] == "Asia/Jayapura"
    wrong = {**data, "name": "Elsewhere", "time_zone": "Mars/Olympus"}
    response = post_form(client, "/admin/agencies/new", wrong)
    assert response.status_code == 422
    assert 'id="time_zone-error"' in text(response)
    assert len(audit_events("agency.created")) == 2
