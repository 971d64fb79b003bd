"""My cases and Agency cases: scoped, filtered, sorted, paginated, searchable through the
blind indexes (exact name in any case, spacing or order; date of birth; document; phone) and
by names as remembered (test_remembered_search.py)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from casework.cases.models import Person
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.cases.helpers import search


def _references(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return re.findall(
        r'<th scope="row"><a href="/cases/[^"]+">([A-Z]{2}-\d{4}-\d{6})</a>',
        response.get_data(as_text=True),
    )


@pytest.fixture
def cases(agencies):
    """A caseworker's own cases, a colleague's, another agency's (same name, same documents)."""
    me = factories.make_user(Role.CASEWORKER, agencies.a)
    colleague = factories.make_user(Role.CASEWORKER, agencies.a).user
    made = {
        "lan": factories.make_case(
            agencies.a,
            assigned_to=me.user,
            full_name="Nguyễn Thị Lan",
            date_of_birth="2001-02-03",
            phone="+66 81 234 5678",
            documents=(("passport", "C 123-4567"),),
            risk_level="high",
        ),
        "mai": factories.make_case(
            agencies.a,
            assigned_to=me.user,
            full_name="Mai Tran",
            date_of_birth="1990-01-01",
            status="FollowUp",
            risk_level="low",
        ),
        "colleague": factories.make_case(
            agencies.a,
            assigned_to=colleague,
            full_name="Nguyễn Thị Lan",
            date_of_birth="2001-02-03",
            risk_level="critical",
        ),
        "elsewhere": factories.make_case(
            agencies.b,
            full_name="Nguyễn Thị Lan",
            date_of_birth="2001-02-03",
            phone="+66 81 234 5678",
            documents=(("passport", "C1234567"),),
        ),
    }
    db.session.commit()
    return me, colleague, made


def test_my_cases_lists_only_mine(login_as, app, cases) -> None:
    from tests.conftest import sign_in_directly

    me, _colleague, made = cases
    client = app.test_client()
    sign_in_directly(client, me)
    refs = _references(client.get("/cases"))
    assert sorted(refs) == sorted([made["lan"].reference, made["mai"].reference])
    assert client.get("/cases/agency").status_code == 404  # caseworkers have no agency list


@pytest.mark.parametrize(
    "typed",
    [
        "Nguyễn Thị Lan",
        "nguyễn thị lan",
        "  NGUYỄN   thị  LAN ",
        "Lan Nguyen Thi",
        "nguyen-thi lan",
        "\uff2e\uff47\uff55\uff59\uff45\uff4e \uff34\uff48\uff49 \uff2c\uff41\uff4e",  # full width
    ],
)
def test_search_by_exact_name_in_any_spelling_never_another_agencys(app, cases, typed) -> None:
    from tests.conftest import sign_in_directly

    me, _colleague, made = cases
    client = app.test_client()
    sign_in_directly(client, me)
    assert _references(search(client, "/cases", {"q": typed})) == [made["lan"].reference]


def test_search_by_date_of_birth_document_phone_and_reference(app, cases) -> None:
    from tests.conftest import sign_in_directly

    me, _colleague, made = cases
    client = app.test_client()
    sign_in_directly(client, me)
    lan = [made["lan"].reference]
    assert _references(search(client, "/cases", {"q": "2001-02-03"})) == lan
    assert _references(search(client, "/cases", {"q": "c1234567", "search_in": "document"})) == lan
    assert _references(search(client, "/cases", {"q": "+66 (81) 234-5678"})) == lan
    assert _references(search(client, "/cases", {"q": made["mai"].reference[-6:]})) == [
        made["mai"].reference
    ]
    # Partial names are matched (tests/cases/test_remembered_search.py), other fields are not
    # searched by mistake.
    assert _references(search(client, "/cases", {"q": "Nguyen"})) == lan
    assert (
        _references(search(client, "/cases", {"q": "Nguyen Thi Lan", "search_in": "phone"})) == []
    )


def test_supervisor_agency_list_filters_and_sorts(login_as, cases, agencies) -> None:
    _me, colleague, made = cases
    client, _supervisor = login_as(Role.SUPERVISOR, agency=agencies.a)
    ours = {made[k].reference for k in ("lan", "mai", "colleague")}
    assert set(_references(client.get("/cases/agency"))) == ours
    # Same name in two of our cases and in another agency: only ours.
    found = _references(search(client, "/cases/agency", {"q": "lan nguyen thi"}))
    assert sorted(found) == sorted([made["lan"].reference, made["colleague"].reference])
    assert _references(
        client.get("/cases/agency", query_string={"assignee": str(colleague.id)})
    ) == [made["colleague"].reference]
    assert _references(client.get("/cases/agency", query_string={"assignee": "none"})) == []
    assert _references(client.get("/cases/agency", query_string={"status": "FollowUp"})) == [
        made["mai"].reference
    ]
    assert _references(client.get("/cases/agency", query_string={"risk": "critical"})) == [
        made["colleague"].reference
    ]
    by_risk = _references(
        client.get("/cases/agency", query_string={"sort": "risk", "order": "asc"})
    )
    assert by_risk == [made["mai"].reference, made["lan"].reference, made["colleague"].reference]
    by_ref = _references(
        client.get("/cases/agency", query_string={"sort": "reference", "order": "asc"})
    )
    assert by_ref == sorted(ours)
    # Unknown filter values are refused, not ignored.
    assert client.get("/cases/agency", query_string={"status": "Deleted"}).status_code == 422
    assert client.get("/cases/agency", query_string={"sort": "full_name_ct"}).status_code == 422
    # My cases for a supervisor: the ones assigned to them (none).
    assert _references(client.get("/cases")) == []


def test_lists_are_paginated(login_as, agencies, app) -> None:
    client, _supervisor = login_as(Role.SUPERVISOR, agency=agencies.a)
    for n in range(app.config["PAGE_SIZE"] + 3):
        factories.make_case(agencies.a, identified_on=date(2025, 1, 1 + n % 28))
    db.session.commit()
    first = _references(
        client.get("/cases/agency", query_string={"sort": "reference", "order": "asc"})
    )
    second = _references(
        client.get("/cases/agency", query_string={"sort": "reference", "order": "asc", "page": 2})
    )
    assert len(first) == app.config["PAGE_SIZE"]
    assert len(second) == 3
    assert not set(first) & set(second)
    assert "Page 1 of 2" in client.get("/cases/agency").get_data(as_text=True)


def test_index_collisions_never_show_a_wrong_case(app, agencies, monkeypatch) -> None:
    """With a 1-bit index nearly every name collides: the exact comparison after decryption
    decides, so only the right case is found."""
    from tests.conftest import sign_in_directly

    monkeypatch.setattr(Person.__dict__["full_name"], "bits", 1)
    me = factories.make_user(Role.CASEWORKER, agencies.a)
    names = ["Ana Lopez", "Boonmee Sae", "Chan Dara", "Dao Van", "Eka Putri", "Farid Khan"]
    made = {
        name: factories.make_case(agencies.a, assigned_to=me.user, full_name=name) for name in names
    }
    db.session.commit()
    indexes = {case.person.full_name_bidx for case in made.values()}
    assert len(indexes) <= 2  # collisions exist
    client = app.test_client()
    sign_in_directly(client, me)
    for name, case in made.items():
        assert _references(search(client, "/cases", {"q": name.upper()})) == [case.reference]
    assert _references(search(client, "/cases", {"q": "Nobody Here"})) == []


def test_navigation_entries_per_role(login_as, agencies) -> None:
    expected = {
        Role.CASEWORKER: {"My cases", "Register a case"},
        Role.SUPERVISOR: {"My cases", "Agency cases", "Register a case"},
        Role.PARTNER: set(),
        Role.COORDINATOR: set(),
        Role.ADMIN: set(),
    }
    for role, entries in expected.items():
        client, _ = login_as(role, agency=agencies.a)
        nav = client.get("/").get_data(as_text=True).split("</nav>")[0]
        shown = {
            label
            for label in ("My cases", "Agency cases", "Register a case")
            if f">{label}</a>" in nav
        }
        assert shown == entries, role
