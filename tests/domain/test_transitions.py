"""Every transitions table walked completely, against moves written out by hand.

EXPECTED is written from the product's rules (README, docs/architecture.md and the issue),
not from casework.domain: if the two disagree, one of them is wrong. For each life cycle,
every (state, event) pair is tried: allowed exactly where EXPECTED says, leading where it
says, refused with IllegalTransition everywhere else; and every (state, state) pair: a move
exactly where some expected event leads there.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from casework import domain
from casework.domain import (
    CASE_TRANSITIONS,
    CLOSURE_REQUEST_TRANSITIONS,
    PEER_TRANSITIONS,
    PLAN_APPROVAL_TRANSITIONS,
    PLAN_STEP_TRANSITIONS,
    REFERRAL_TRANSITIONS,
    SERVICE_TRANSITIONS,
    TRANSFER_TRANSITIONS,
    WORK_TRANSITIONS,
    IllegalTransition,
    Transitions,
)

# fmt: off
# life cycle -> {state code: {event code: next state code}}; a state with no entry takes none.
EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "case": {
        "Active":         {"close": "Closed", "close_referred": "ClosedReferred"},
        "FollowUp":       {"close": "Closed", "close_referred": "ClosedReferred"},
        "Closed":         {"reopen": "Active", "erase": "Closed"},
        "ClosedReferred": {"reopen": "Active", "erase": "ClosedReferred"},
    },
    "closure_request": {
        "none":      {"request": "requested"},
        "requested": {"approve": "none", "reject": "none"},
    },
    "referral": {
        "pending":  {"accept": "accepted", "decline": "declined", "revoke": "revoked",
                     "expire": "expired", "close_case": "revoked"},
        "accepted": {"complete": "completed", "revoke": "revoked", "close_case": "completed"},
        "declined": {},
        "completed": {},
        "revoked":  {},
        "expired":  {},
    },
    "transfer": {
        "pending":   {"accept": "accepted", "decline": "declined", "withdraw": "withdrawn",
                      "close_case": "withdrawn"},
        "accepted":  {},
        "declined":  {},
        "withdrawn": {},
    },
    "service": {
        "planned":      {"start": "in_progress", "complete": "completed",
                         "discontinue": "discontinued"},
        "in_progress":  {"complete": "completed", "discontinue": "discontinued"},
        "completed":    {"resume": "in_progress"},
        "discontinued": {"resume": "in_progress"},
    },
    "work": {
        "queued":    {"claim": "running"},
        "running":   {"succeed": "succeeded", "retry": "queued", "recover": "queued",
                      "fail": "failed"},
        "succeeded": {},
        "failed":    {"restart": "queued"},
    },
    "peer": {
        "active":    {"suspend": "suspended", "remove": "removed"},
        "suspended": {"resume": "active", "remove": "removed"},
        "removed":   {},
    },
    "plan_step": {
        "planned":     {"start": "in_progress", "complete": "done", "cancel": "cancelled"},
        "in_progress": {"complete": "done", "cancel": "cancelled"},
        "done":        {"reopen": "in_progress"},
        "cancelled":   {},
    },
    "plan_approval": {
        "pending":    {"approve": "approved", "decline": "declined", "supersede": "superseded"},
        "approved":   {"supersede": "superseded"},
        "declined":   {},
        "superseded": {},
    },
}
INITIAL = {
    "case": {"Active"},
    "closure_request": {"none"},
    "referral": {"pending"},
    "transfer": {"pending"},
    "service": {"planned", "in_progress", "completed", "discontinued"},
    "work": {"queued"},
    "peer": {"active"},
    "plan_step": {"planned"},
    "plan_approval": {"pending"},
}
# fmt: on

TABLES: dict[str, Transitions[Any, Any]] = {
    "case": CASE_TRANSITIONS,
    "closure_request": CLOSURE_REQUEST_TRANSITIONS,
    "referral": REFERRAL_TRANSITIONS,
    "transfer": TRANSFER_TRANSITIONS,
    "service": SERVICE_TRANSITIONS,
    "work": WORK_TRANSITIONS,
    "peer": PEER_TRANSITIONS,
    "plan_step": PLAN_STEP_TRANSITIONS,
    "plan_approval": PLAN_APPROVAL_TRANSITIONS,
}


def _pairs(kind: str, second: str) -> list[tuple[str, str, str]]:
    table = TABLES[kind]
    seconds = table.events if second == "event" else table.states
    return [(kind, s.value, x.value) for s, x in itertools.product(table.states, seconds)]


ALL_EVENT_PAIRS = [pair for kind in TABLES for pair in _pairs(kind, "event")]
ALL_STATE_PAIRS = [pair for kind in TABLES for pair in _pairs(kind, "state")]


def test_every_life_cycle_is_tested_and_registered() -> None:
    assert set(EXPECTED) == set(TABLES) == set(domain.TRANSITIONS)
    for kind, table in TABLES.items():
        assert domain.TRANSITIONS[kind] is table
        assert set(EXPECTED[kind]) == {s.value for s in table.states}, kind
        named = {event for moves in EXPECTED[kind].values() for event in moves}
        assert named == {e.value for e in table.events}, f"{kind}: an event nobody takes"
        assert {s.value for s in table.initial} == INITIAL[kind]


@pytest.mark.parametrize(("kind", "state", "event"), ALL_EVENT_PAIRS)
def test_every_state_and_event(kind: str, state: str, event: str) -> None:
    table = TABLES[kind]
    expected = EXPECTED[kind][state].get(event)
    assert table.allows(state, event) is (expected is not None)
    assert (event in {e.value for e in table.events_from(state)}) is (expected is not None)
    if expected is None:
        with pytest.raises(IllegalTransition) as refused:
            table.transition(state, event)
        assert (refused.value.current, refused.value.event) == (state, event)
        assert state in str(refused.value)
        assert event in str(refused.value)
    else:
        moved = table.transition(state, event)
        assert moved == expected
        assert isinstance(moved, table.states), "a state comes back as its enum"


@pytest.mark.parametrize(("kind", "state", "target"), ALL_STATE_PAIRS)
def test_every_pair_of_states(kind: str, state: str, target: str) -> None:
    table = TABLES[kind]
    reachable = {to for to in EXPECTED[kind][state].values() if to != state}
    assert table.allowed(state, target) is (target in reachable)
    assert (target in table.targets_from(state)) is (target in reachable)


@pytest.mark.parametrize("kind", list(TABLES))
def test_unknown_or_missing_states_take_no_event(kind: str) -> None:
    table = TABLES[kind]
    for state in (None, "", "bogus", "PENDING", " active"):
        assert table.events_from(state) == frozenset()
        assert table.targets_from(state) == frozenset()
        for event in table.events:
            assert not table.allows(state, event)
            with pytest.raises(IllegalTransition):
                table.transition(state, event)
    some_state = next(iter(table.states))
    assert not table.allowed(some_state, None)
    assert not table.allowed(some_state, "bogus")


@pytest.mark.parametrize("kind", list(TABLES))
def test_an_unknown_event_is_a_programming_error(kind: str) -> None:
    """A typo in an operation or a template fails loudly, never reads as 'not allowed'."""
    table = TABLES[kind]
    state = next(iter(table.states))
    with pytest.raises(ValueError, match="typo"):
        table.allows(state, "typo")
    with pytest.raises(ValueError, match="typo"):
        table.transition(state, "typo")


def test_a_table_only_takes_its_own_codes() -> None:
    from enum import StrEnum

    class Other(StrEnum):
        X = "x"

    with pytest.raises(TypeError):
        Transitions(
            "broken",
            domain.CaseStatus,
            domain.CaseEvent,
            {(domain.CaseStatus.ACTIVE, Other.X): domain.CaseStatus.CLOSED},
            initial=[domain.CaseStatus.ACTIVE],
        )
    with pytest.raises(TypeError):
        Transitions(
            "broken",
            domain.CaseStatus,
            domain.CaseEvent,
            {(domain.CaseStatus.ACTIVE, domain.CaseEvent.CLOSE): Other.X},
            initial=[domain.CaseStatus.ACTIVE],
        )


def test_status_groups_agree_with_the_tables() -> None:
    """The named groups (open cases, open referrals, unfinished services) are the states
    the tables treat that way."""
    closing = {domain.CaseEvent.CLOSE, domain.CaseEvent.CLOSE_REFERRED}
    for status in domain.CaseStatus:
        is_open = closing <= CASE_TRANSITIONS.events_from(status)
        assert (status in domain.OPEN_CASE_STATUSES) is is_open
        assert (status in domain.CLOSED_CASE_STATUSES) is (not is_open)
    for status in domain.ReferralStatus:
        can_revoke = REFERRAL_TRANSITIONS.allows(status, domain.ReferralEvent.REVOKE)
        assert (status in domain.OPEN_REFERRAL_STATUSES) is can_revoke
    for status in domain.ServiceStatus:
        can_finish = SERVICE_TRANSITIONS.allows(status, domain.ServiceEvent.COMPLETE)
        assert (status in domain.UNFINISHED_SERVICE_STATUSES) is can_finish


def test_stored_codes_are_the_enum_values() -> None:
    """No data migration: the enum values are the codes rows already hold."""
    assert [s.value for s in domain.CaseStatus] == [
        "Active",
        "FollowUp",
        "Closed",
        "ClosedReferred",
    ]
    assert [s.value for s in domain.ReferralStatus] == [
        "pending", "accepted", "declined", "completed", "revoked", "expired",
    ]  # fmt: skip
    assert [s.value for s in domain.ServiceStatus] == [
        "planned", "in_progress", "completed", "discontinued",
    ]  # fmt: skip
