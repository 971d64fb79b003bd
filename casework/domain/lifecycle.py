"""A transitions table: which state may go to which, and by which event.

One `Transitions` object per life cycle (case, closure request, referral, service record).
Operations ask it before they change a status, templates ask it before they offer a button,
so the rule "an accepted referral can be completed" is written once. States and events are
StrEnums whose values are the codes stored in the database; plain strings read from a row are
accepted and converted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Generic, TypeVar

S = TypeVar("S", bound=StrEnum)
E = TypeVar("E", bound=StrEnum)


class DomainError(Exception):
    """A rule of the domain refused. The message is for developers and logs (codes only);
    operations turn it into a translated message for the person."""


class IllegalTransition(DomainError):
    """`event` does not apply to a record in state `current` (or no event leads to `target`)."""

    def __init__(self, lifecycle: str, current: str, event: str | None, target: str | None = None):
        self.lifecycle, self.current, self.event, self.target = lifecycle, current, event, target
        move = f"event {event!r}" if event is not None else f"a move to {target!r}"
        super().__init__(f"{lifecycle}: {move} is not allowed from {current!r}")


class Transitions(Generic[S, E]):
    """The transitions table of one life cycle: (state, event) -> next state."""

    def __init__(
        self,
        name: str,
        states: type[S],
        events: type[E],
        table: Mapping[tuple[S, E], S],
        *,
        initial: Iterable[S],
    ) -> None:
        self.name = name
        self.states = states
        self.events = events
        self.table: Mapping[tuple[S, E], S] = dict(table)
        self.initial = frozenset(initial)
        for (state, event), target in self.table.items():
            if not (isinstance(state, states) and isinstance(target, states)):
                raise TypeError(f"{name}: {state!r} -> {target!r} are not {states.__name__}")
            if not isinstance(event, events):
                raise TypeError(f"{name}: {event!r} is not a {events.__name__}")

    def state(self, value: S | str) -> S:
        """`value` as a state; ValueError for a code this life cycle does not have."""
        return self.states(value)

    def event(self, value: E | str) -> E:
        """`value` as an event; ValueError for an event this life cycle does not have."""
        return self.events(value)

    def known(self, current: S | str | None) -> S | None:
        """`current` as a state, or None for a missing or unknown code (it may take no event)."""
        if current is None or current not in self.states._value2member_map_:
            return None
        return self.states(current)

    def allows(self, current: S | str | None, event: E | str) -> bool:
        """May a record in state `current` take `event`? An unknown or missing state may not
        (an unknown event is a programming error: ValueError)."""
        wanted = self.event(event)
        state = self.known(current)
        return state is not None and (state, wanted) in self.table

    def transition(self, current: S | str | None, event: E | str) -> S:
        """The state `event` leads to from `current`; IllegalTransition when it does not apply."""
        wanted, state = self.event(event), self.known(current)
        if state is None or (state, wanted) not in self.table:
            raise IllegalTransition(self.name, str(current), wanted.value)
        return self.table[(state, wanted)]

    def sources(self, event: E | str) -> frozenset[S]:
        """Every state from which `event` may be taken: the WHERE of a conditional update
        (`UPDATE ... SET status = :next WHERE id = :id AND status IN sources`), so that of two
        concurrent requests only one moves the record."""
        wanted = self.event(event)
        return frozenset(state for (state, taken) in self.table if taken == wanted)

    def moves_from(self, current: S | str | None) -> dict[E, S]:
        """Every event a record in state `current` may take, and where each leads."""
        state = self.known(current)
        return {event: target for (s, event), target in self.table.items() if s == state}

    def events_from(self, current: S | str | None) -> frozenset[E]:
        """The events a record in state `current` may take (none for an unknown state)."""
        return frozenset(self.moves_from(current))

    def targets_from(self, current: S | str | None) -> frozenset[S]:
        """The other states a record in state `current` may move to (an event that keeps the
        state, like erasing a closed case, is not a move)."""
        state = self.known(current)
        return frozenset(target for target in self.moves_from(current).values() if target != state)

    def allowed(self, current: S | str | None, target: S | str | None) -> bool:
        """May a record move from `current` to `target` by some event? Staying is not a move;
        an unknown or missing target is not reachable."""
        wanted = self.known(target)
        return wanted is not None and wanted in self.targets_from(current)
