"""A case's life-cycle operations from every status (and erased): each works exactly where
the transitions table (written out by hand in tests/domain/test_transitions.py) allows it;
anywhere else it refuses with a message for the person and changes nothing, and its page
answers with that message, never a server error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from casework.cases.errors import RecordError
from casework.cases.lifecycle import closure, erasure, reopening
from casework.cases.models import Case
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.domain import ClosureRequestState
from casework.policy import Role
from tests import factories
from tests.cases.records.conftest import World, post_form
from tests.domain.test_transitions import EXPECTED

STATUSES = ["Active", "FollowUp", "Closed", "ClosedReferred"]


def _put_in(case: Case, status: str, *, erased: bool = False) -> None:
    case.status = status
    if status.startswith("Closed"):
        case.closed_at, case.closure_reason = utcnow(), "goals_met"
    if erased:
        case.erased_at = utcnow()
    db.session.commit()


def _snapshot(case: Case) -> tuple[Any, ...]:
    db.session.refresh(case)
    return (case.status, case.closure_requested_status, case.closed_at, case.erased_at)


def _second_supervisor(world: World) -> Any:
    account = factories.make_user(Role.SUPERVISOR, world.home)
    db.session.commit()
    return account.user


def _close(world: World, case: Case, status: str) -> Callable[[], Any]:
    def run() -> None:
        closure.request_closure(world.caseworker, case, reason="goals_met", status=status)
        closure.approve_closure(_second_supervisor(world), case)

    return run


@pytest.mark.parametrize(
    ("status", "erased"),
    [*((status, False) for status in STATUSES), ("Closed", True), ("ClosedReferred", True)],
    ids=str,
)
def test_every_case_event_from_every_status(world: World, status: str, erased: bool) -> None:
    events: dict[str, Callable[[Case], Callable[[], Any]]] = {
        "close": lambda case: _close(world, case, "Closed"),
        "close_referred": lambda case: _close(world, case, "ClosedReferred"),
        "reopen": lambda case: lambda: reopening.reopen_case(world.supervisor, case),
        "erase": lambda case: (
            lambda: erasure.erase_case(world.supervisor, case, reason="supervisor_request")
        ),
    }
    row = {} if erased else EXPECTED["case"][status]
    for event, action in events.items():
        case = factories.make_case(world.home, assigned_to=world.caseworker)
        _put_in(case, status, erased=erased)
        assert case.allows(event) is (event in row), (status, erased, event)
        before = _snapshot(case)
        if erased and event == "erase":  # the retention command may meet it again: a no-op
            assert action(case)() is False
            assert _snapshot(case) == before
        elif event in row:
            action(case)()
            db.session.commit()
            assert _snapshot(case)[0] == row[event], (status, event)
        else:
            with pytest.raises(RecordError) as refused:
                action(case)()
            assert str(refused.value), "a message for the person"
            db.session.rollback()
            assert _snapshot(case) == before, "a refusal changes nothing"


def test_the_closure_request_table_is_what_the_operations_follow(world: World) -> None:
    case = world.case
    assert case.closure_request_state == ClosureRequestState.NONE
    with pytest.raises(RecordError, match="no closure request"):
        closure.approve_closure(world.supervisor, case)
    with pytest.raises(RecordError, match="no closure request"):
        closure.reject_closure(world.supervisor, case, note="risk_unresolved")
    closure.request_closure(world.caseworker, case, reason="goals_met", status="ClosedReferred")
    assert case.closure_request_state == ClosureRequestState.REQUESTED
    with pytest.raises(RecordError, match="already been requested"):
        closure.request_closure(world.caseworker, case, reason="goals_met", status="Closed")
    closure.reject_closure(world.supervisor, case, note="risk_unresolved")
    assert case.closure_request_state == ClosureRequestState.NONE
    closure.request_closure(world.caseworker, case, reason="goals_met", status="ClosedReferred")
    closure.approve_closure(world.supervisor, case)
    assert (case.status, case.closure_request_state) == ("ClosedReferred", ClosureRequestState.NONE)


@pytest.mark.parametrize("wanted", ["Active", "FollowUp", "Deleted", ""])
def test_closure_asks_for_a_status_the_case_can_close_to(world: World, wanted: str) -> None:
    with pytest.raises(RecordError) as refused:
        closure.request_closure(world.caseworker, world.case, reason="goals_met", status=wanted)
    assert refused.value.field == "status"
    assert world.case.closure_requested_at is None


def test_a_crafted_request_status_cannot_close_a_case_into_an_open_one(world: World) -> None:
    """Approval follows the table too: a request whose status was tampered with in the
    database is not a closure."""
    closure.request_closure(world.caseworker, world.case, reason="goals_met", status="Closed")
    world.case.closure_requested_status = "FollowUp"
    with pytest.raises(RecordError, match="no closure request"):
        closure.approve_closure(world.supervisor, world.case)
    assert world.case.status == "Active"


def test_refused_moves_answer_with_a_message_not_an_error(world: World) -> None:
    supervisor = world.as_supervisor()
    case_page = f"/cases/{world.case.id}"
    reopen = post_form(supervisor, f"{case_page}/reopen", follow_redirects=True)
    assert reopen.status_code == 200
    assert "This case is not closed." in reopen.get_data(as_text=True)
    decide = post_form(supervisor, f"{case_page}/closure/decide", {"decision": "approve"})
    assert decide.status_code == 422
    assert "There is no closure request to decide." in decide.get_data(as_text=True)
    erase = post_form(supervisor, f"{case_page}/erase", {"confirmation": world.case.reference})
    assert erase.status_code == 422
    assert "Only a closed case can be erased." in erase.get_data(as_text=True)
    assert _snapshot(world.reload())[0] == "Active"


def test_the_pages_offer_a_move_only_where_the_table_allows_it(world: World) -> None:
    supervisor = world.as_supervisor()
    reopen = f"/cases/{world.case.id}/reopen"
    assert "This case is not closed." in supervisor.get(reopen).get_data(as_text=True)
    _put_in(world.case, "Closed")
    page = supervisor.get(reopen).get_data(as_text=True)
    assert "This case is not closed." not in page
    assert "The case becomes active again" in page
    _put_in(world.case, "Closed", erased=True)
    page = supervisor.get(reopen).get_data(as_text=True)
    assert "it cannot be re-opened" in page
