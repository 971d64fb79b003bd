"""The HTCDS 2.0 fields and code lists added for conformance (issue 14): entered on the case
forms, checked against their lists, kept (encrypted where they are the person's words), shown
on the case page."""

from __future__ import annotations

from sqlalchemy import text

from casework.cases.models import Case
from casework.core.extensions import db
from casework.policy import Role
from tests.cases.helpers import form_fields, register

NEW_FIELDS = {
    "salutation": "Ms",
    "title": "Seamstress",
    "marital_status": "Separated",
    "number_of_children": "2",
    "recruitment_platform": ["Facebook", "TikTok"],
    "exploitation_platform": ["Telegram"],
    "vulnerability": ["Poverty", "MentalHealth"],
    "vulnerability_details": "Debts after her mother's illness",
    "perpetrator_role": ["RecruiterOrIntermediary", "Exploiter"],
    "perpetrator_details": "A cousin recruited her for a factory owner",
}


def _edit(client, case_id, **changes):
    fields = form_fields(client.get(f"/cases/{case_id}/edit").get_data(as_text=True))
    fields.update(changes)
    return client.post(f"/cases/{case_id}/edit", data=fields)


def _with_new_fields(client) -> Case:
    """Registered, then completed on the edit form (registration asks none of them: the
    page stays under 30 KB)."""
    case = register(client)
    assert _edit(client, case.id, **NEW_FIELDS).status_code == 302
    db.session.expire_all()
    return db.session.get(Case, case.id)


def test_registration_leaves_them_to_the_edit_form(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    page = client.get("/cases/new").get_data(as_text=True)
    for name in NEW_FIELDS:
        assert f'name="{name}"' not in page, name
    assert 'name="events-0-coordinates"' not in page
    assert 'name="events-0-province"' in page


def test_the_new_fields_are_kept_encrypted_and_shown(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    case = _with_new_fields(client)
    assert (case.marital_status, case.number_of_children) == ("Separated", 2)
    person = case.person
    assert person is not None
    assert (person.salutation, person.title) == ("Ms", "Seamstress")
    assert person.vulnerability_details == "Debts after her mother's illness"
    assert person.perpetrator_details == "A cousin recruited her for a factory owner"
    assert case.codes_of("recruitment_platform") == ["Facebook", "TikTok"]
    assert case.codes_of("exploitation_platform") == ["Telegram"]
    assert case.codes_of("vulnerability") == ["MentalHealth", "Poverty"]
    assert case.codes_of("perpetrator_role") == ["Exploiter", "RecruiterOrIntermediary"]
    raw = db.session.execute(
        text("SELECT title_ct, vulnerability_details_ct, perpetrator_details_ct FROM people")
    ).one()
    assert all(value and b"Seamstress" not in value and b"cousin" not in value for value in raw)

    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    for shown in (
        "Seamstress",
        "Separated",
        "Facebook, TikTok",
        "Telegram",
        "Mental health, Poverty",
        "Debts after her mother",
        "Exploiter, Recruiter or intermediary",
        "A cousin recruited her",
    ):
        assert shown in page, shown


def test_the_new_lists_refuse_codes_not_on_them(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    case = register(client)
    for field, value in [
        ("marital_status", "Complicated"),
        ("recruitment_platform", ["MySpace"]),
        ("exploitation_platform", ["facebook"]),  # codes are spelled exactly
        ("vulnerability", ["Bad luck"]),
        ("perpetrator_role", ["Mastermind"]),
        ("number_of_children", "-1"),
    ]:
        response = _edit(client, case.id, **{field: value})
        assert response.status_code == 422, field
    db.session.expire_all()
    assert db.session.get(Case, case.id).marital_status is None


def test_the_new_fields_are_edited(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    case = _with_new_fields(client)
    fields = form_fields(client.get(f"/cases/{case.id}/edit").get_data(as_text=True))
    assert sorted(fields["vulnerability"]) == ["MentalHealth", "Poverty"]
    fields.update({"vulnerability": ["Addiction"], "number_of_children": "3", "title": ""})
    assert client.post(f"/cases/{case.id}/edit", data=fields).status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.codes_of("vulnerability") == ["Addiction"]
    assert case.number_of_children == 3
    assert case.person.title is None
    assert case.codes_of("perpetrator_role") == ["Exploiter", "RecruiterOrIntermediary"]


def test_an_event_place_below_the_country(login_as, agencies) -> None:
    """HTCDS hte_State, hte_City, hte_Latitude/Longitude: the province in clear, the city and
    the coordinates encrypted, the coordinates checked and kept in one spelling."""
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    case = register(client, **{"events-0-province": "Songkhla", "events-0-city": "Hat Yai"})
    refused = _edit(client, case.id, **{"events-0-coordinates": "north of the river"})
    assert refused.status_code == 422
    assert "Write coordinates as latitude, longitude." in refused.get_data(as_text=True)
    assert (
        _edit(client, case.id, **{"events-0-coordinates": " 7.0086 ,100.4747 "}).status_code == 302
    )
    db.session.expire_all()
    [event] = db.session.get(Case, case.id).events
    assert (event.province, event.city, event.coordinates) == (
        "Songkhla",
        "Hat Yai",
        "7.0086, 100.4747",
    )
    raw = db.session.execute(text("SELECT city_ct, coordinates_ct FROM trafficking_events")).one()
    assert all(value and b"Hat Yai" not in value and b"7.0086" not in value for value in raw)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Songkhla, Hat Yai, 7.0086, 100.4747" in page
