"""Empty panels and lists say what is empty and what to do next (issue 16 point 7, decision
0113): the action's button when the viewer may take it (the policy, then the guard), else
that the case is closed, or who can."""

from __future__ import annotations

import re

from casework.core.extensions import db
from casework.policy import Role
from tests import factories

EMPTY = re.compile(r'<div class="empty-state[^"]*">(.*?)</div>', re.S)


def _empties(page: str) -> str:
    return "\n".join(EMPTY.findall(page))


def test_a_caseworkers_empty_panels_offer_the_actions(login_as, agencies) -> None:
    client, account = login_as(Role.CASEWORKER, agency=agencies.a)
    case = factories.make_case(agencies.a, assigned_to=account.user)
    db.session.commit()
    empties = _empties(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert "No identity document recorded." in empties
    assert f'href="/cases/{case.id}/edit#section-documents">Edit case</a>' in empties
    assert "No trafficking event recorded." in empties
    assert f'href="/cases/{case.id}/edit#section-events"' in empties
    assert "No notes yet." in empties
    assert 'href="#note-form">Add a note</a>' in empties
    assert "No file attached." in empties
    assert f'href="/cases/{case.id}/attachments/new"' in empties or "Attach a file</a>" in empties
    assert "No referrals." in empties
    assert "Refer to another agency</a>" in empties
    assert "No service records." in empties
    assert "Record a service</a>" in empties


def test_a_closed_cases_empty_panels_say_it_is_closed(login_as, agencies) -> None:
    client, account = login_as(Role.CASEWORKER, agency=agencies.a)
    case = factories.make_case(agencies.a, assigned_to=account.user, status="Closed")
    db.session.commit()
    empties = _empties(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert "No identity document recorded." in empties
    assert "Nothing can be added: this case is closed." in empties
    assert "Edit case</a>" not in empties
    assert "Refer to another agency</a>" not in empties


def test_who_may_not_act_is_told_who_can(login_as, agencies) -> None:
    """A partner reads the person's details through a referral, but may not edit the case:
    the empty documents say who can, with no button."""
    case = factories.make_case(agencies.a)
    factories.make_consent(case)
    factories.make_referral(
        case, agencies.b, status="accepted", shared_groups=("identity_contact",)
    )
    db.session.commit()
    client, _account = login_as(Role.PARTNER, agency=agencies.b)
    empties = _empties(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert "No identity document recorded." in empties
    assert "a supervisor of its agency, can add them." in empties
    assert "Edit case</a>" not in empties
    assert "/edit#section-documents" not in empties


def test_empty_case_lists_say_what_to_do(login_as, agencies) -> None:
    client, _account = login_as(Role.CASEWORKER, agency=agencies.a)
    page = client.get("/cases").get_data(as_text=True)
    (block,) = EMPTY.findall(page)
    assert "No case is assigned to you." in block
    assert 'href="/cases/new"' in block
    filtered = client.get("/cases?risk=high").get_data(as_text=True)
    (block,) = EMPTY.findall(filtered)
    assert "No case matches these filters." in block
    assert "Change or clear the filters above to see more." in block
    supervisor, _s = login_as(Role.SUPERVISOR, agency=agencies.b)
    (block,) = EMPTY.findall(supervisor.get("/cases/agency").get_data(as_text=True))
    assert "Your agency has no case yet." in block


def test_the_home_pages_empty_queues_say_what_to_do(login_as, agencies) -> None:
    client, _account = login_as(Role.SUPERVISOR, agency=agencies.a)
    empties = _empties(client.get("/").get_data(as_text=True))
    assert 'href="/cases">Open your cases</a>' in empties or "Open your cases</a>" in empties
    assert "No closure request awaits your decision." in empties
    assert "appears here when someone sends one" in empties
    assert "Every open case has someone assigned." in empties
