"""Finding a person as they are remembered: part of a name, a first name, the parts in any
order, a typo, another script (decision 0120).

The blind indexes only find a name typed exactly (after normalisation); they stay as they are
for that. This search works on what the user may already read: the names of the cases of a
scoped query (`visible_cases`), decrypted and matched in memory, never any other case.

Every name becomes Latin tokens (`core/search_text.py: name_tokens`); each part of the query
must match one token of the case's full name or other names: the same token, its beginning
(2 letters or more), a piece inside it (4 or more, for syllables run together), or a spelling
within rapidfuzz's similarity cut-off (5 letters or more). A part written without spaces in
Thai, Lao, Khmer or Burmese also matches when each of its dictionary words does.

Decrypting 10,000 names takes seconds, so the tokens of each name are kept in this process's
memory (`TokenCache`, never written anywhere) under the person's id, with the ciphertexts they
came from and the data key's id: a changed name has a new ciphertext (a new nonce each
encryption), so a stale entry is never used; a destroyed data key or an erased case is left out
by the query before the cache is read. Nothing here logs what is searched.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import ColumnElement, Select, func, select, true, type_coerce
from sqlalchemy.orm import contains_eager
from sqlalchemy.types import NullType

from casework.cases.models import Case, Person
from casework.core.extensions import db
from casework.core.search_text import name_parts, name_tokens
from casework.encryption.fields import UnreadableRecord
from casework.encryption.models import DataKey

CACHE_SIZE = 200_000  # people: about 200 bytes each, tokens and ciphertexts
BATCH = 500  # names decrypted per query on a cache miss
MIN_PREFIX = 2
MIN_INSIDE = 4
MIN_FUZZY = 5
SNAPSHOTS = 256  # scopes (signed-in people) whose tokens are kept together
FUZZY_CUTOFF = 80.0  # rapidfuzz ratio: one letter wrong in 5, two in 10


@dataclass(frozen=True)
class _Entry:
    data_key_id: uuid.UUID | None
    full_name_ct: bytes | None
    other_names_ct: bytes | None
    tokens: frozenset[str]

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.data_key_id, self.full_name_ct, self.other_names_ct)


class TokenCache:
    """Person id -> the Latin tokens of their names, with what they were computed from."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[Any, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, person_id: Any, key: tuple[Any, ...]) -> frozenset[str] | None:
        found = self.get_many([(person_id, key)])
        return found[0]

    def get_many(self, wanted: list[tuple[Any, tuple[Any, ...]]]) -> list[frozenset[str] | None]:
        """The tokens of each (person id, key), None where missing or computed from another
        ciphertext or data key (one lock for the whole list)."""
        found: list[frozenset[str] | None] = []
        with self._lock:
            entries = self._entries
            for person_id, key in wanted:
                entry = entries.get(person_id)
                if entry is None or entry.key != key:
                    found.append(None)
                else:
                    entries.move_to_end(person_id)
                    found.append(entry.tokens)
        return found

    def put(self, person_id: Any, key: tuple[Any, ...], tokens: frozenset[str]) -> None:
        with self._lock:
            data_key_id, full_name_ct, other_names_ct = key
            self._entries[person_id] = _Entry(data_key_id, full_name_ct, other_names_ct, tokens)
            self._entries.move_to_end(person_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


CACHE = TokenCache()
_FULL_NAME_CT = Person.__table__.c.full_name_ct
_OTHER_NAMES_CT = Person.__table__.c.other_names_ct
_CIPHERTEXTS = (_FULL_NAME_CT, _OTHER_NAMES_CT)


def _raw(column: Any) -> Any:
    """The column as the driver returns it: no UUID object built per row (10,000 rows)."""
    return type_coerce(column, NullType())


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def case_tokens(visible: Select[Any]) -> dict[Any, frozenset[str]]:
    """Case id (as the driver returns it) -> the tokens of its person's names, for the cases
    of `visible` (a scoped query of cases) whose data can be read (not erased, data key not
    destroyed)."""
    # Through the connection: plain rows, none of the ORM's per-row work.
    query = select(
        _raw(Person.id),
        _raw(Person.case_id),
        _raw(Case.data_key_id),
        _raw(_FULL_NAME_CT),
        _raw(_OTHER_NAMES_CT),
    )
    rows = db.session.connection().execute(_readable(query, visible)).all()
    wanted = [(row[0], (row[2], row[3], row[4])) for row in rows]
    cached = CACHE.get_many(wanted)
    found: dict[Any, frozenset[str]] = {}
    missing: dict[uuid.UUID, tuple[Any, Any, tuple[Any, ...]]] = {}
    for row, (person_id, key), tokens in zip(rows, wanted, cached, strict=True):
        if tokens is None:
            missing[_uuid(person_id)] = (person_id, row[1], key)
        else:
            found[row[1]] = tokens
    ids = list(missing)
    for start in range(0, len(ids), BATCH):
        for person in _people(ids[start : start + BATCH]):
            raw_id, case_id, key = missing[person.id]
            stored = (person.case.data_key_id, *(getattr(person, c.key) for c in _CIPHERTEXTS))
            if _uuid(key[0]) != stored[0] or tuple(key[1:]) != tuple(stored[1:]):
                continue  # changed since the first query: left out of this search
            try:
                tokens = name_tokens(person.full_name, person.other_names)
            except UnreadableRecord:  # audited where it was found; this record is left out
                continue
            CACHE.put(raw_id, key, tokens)
            found[case_id] = tokens
    return found


def _people(ids: Iterable[uuid.UUID]) -> Iterable[Person]:
    return db.session.scalars(
        select(Person)
        .join(Person.case)
        .options(contains_eager(Person.case))
        .where(Person.id.in_(list(ids)))
    ).unique()


@dataclass(frozen=True)
class _Snapshot:
    fingerprint: tuple[Any, ...]
    tokens_by_case: dict[Any, frozenset[str]]


class ScopeSnapshots:
    """Scope key -> the tokens of its cases as last read, with the scope's fingerprint then
    (how many readable people, their latest change, the cases' latest change). A search whose
    scope's fingerprint is unchanged reuses them instead of reading 10,000 rows again. A stale
    snapshot can only miss a case or keep one that left the scope: `search` answers only ids
    of the scoped query, so nothing outside the scope is ever shown."""

    def __init__(self, size: int = SNAPSHOTS) -> None:
        self.size = size
        self._entries: OrderedDict[Any, _Snapshot] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, scope: Any, fingerprint: tuple[Any, ...]) -> dict[Any, frozenset[str]] | None:
        with self._lock:
            found = self._entries.get(scope)
            if found is None or found.fingerprint != fingerprint:
                return None
            self._entries.move_to_end(scope)
            return found.tokens_by_case

    def put(
        self, scope: Any, fingerprint: tuple[Any, ...], tokens: dict[Any, frozenset[str]]
    ) -> None:
        with self._lock:
            self._entries[scope] = _Snapshot(fingerprint, tokens)
            self._entries.move_to_end(scope)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


SNAPSHOT_CACHE = ScopeSnapshots()


def scope_condition(visible: Select[Any]) -> ColumnElement[bool]:
    """The WHERE of a scoped query of cases (`visible_cases`), to put on a query that joins
    `Case`: the database then checks each row, instead of building the list of 10,000 ids
    that `IN (subquery)` makes on every query."""
    clause = visible.whereclause
    return clause if clause is not None else true()


def _readable(query: Select[Any], visible: Select[Any]) -> Select[Any]:
    return (
        query.join(Case, Case.id == Person.case_id)
        .join(DataKey, DataKey.id == Case.data_key_id)
        .where(scope_condition(visible), Case.erased_at.is_(None), DataKey.wrapped.is_not(None))
    )


def fingerprint(visible: Select[Any]) -> tuple[Any, ...]:
    """One aggregate row: changes when a readable person is added, removed or changed (their
    count, their latest change, their cases' latest change, their names' ciphertext lengths)."""
    row = (
        db.session.connection()
        .execute(
            _readable(
                select(
                    func.count(),
                    _raw(func.max(Person.updated_at)),
                    _raw(func.max(Case.updated_at)),
                    func.coalesce(func.sum(func.length(_FULL_NAME_CT)), 0),
                    func.coalesce(func.sum(func.length(_OTHER_NAMES_CT)), 0),
                ).select_from(Person),
                visible,
            )
        )
        .one()
    )
    return tuple(row)


def matching_cases(visible: Select[Any], q: str, *, scope: Any = None) -> set[uuid.UUID]:
    """Ids of the cases of `visible` whose person's names match every part of `q`. With a
    `scope` key (the actor's), the tokens are reused while the scope's fingerprint holds."""
    parts = name_parts(q)
    if not parts:
        return set()
    tokens: dict[Any, frozenset[str]] | None = None
    if scope is not None:
        printed = fingerprint(visible)
        tokens = SNAPSHOT_CACHE.get(scope, printed)
    if tokens is None:
        tokens = case_tokens(visible)
        if scope is not None:
            SNAPSHOT_CACHE.put(scope, printed, tokens)
    return {_uuid(case_id) for case_id in match(tokens, parts)}


def match(
    tokens_by_case: dict[Any, frozenset[str]], parts: list[tuple[str, tuple[str, ...]]]
) -> set[Any]:
    """The cases whose tokens match every part (see the module's docstring): the tokens each
    part may stand for are found once in the vocabulary, then each case is one set test."""
    if not tokens_by_case:
        return set()
    vocabulary = list(frozenset().union(*tokens_by_case.values()))
    candidates = list(tokens_by_case.items())
    for whole, pieces in parts:
        whole_tokens = similar_tokens(whole, vocabulary)
        piece_tokens = [similar_tokens(piece, vocabulary) for piece in pieces]
        kept = []
        for case_id, tokens in candidates:
            if not whole_tokens.isdisjoint(tokens) or (
                piece_tokens and all(not found.isdisjoint(tokens) for found in piece_tokens)
            ):
                kept.append((case_id, tokens))
        candidates = kept
        if not candidates:
            return set()
    return {case_id for case_id, _tokens in candidates}


def similar_tokens(term: str, vocabulary: list[str]) -> set[str]:
    """The tokens of `vocabulary` that `term` may stand for (itself, a beginning, a piece
    inside, a spelling within the cut-off)."""
    similar = {term}
    if len(term) >= MIN_INSIDE:
        similar.update(token for token in vocabulary if term in token)
    elif len(term) >= MIN_PREFIX:
        similar.update(token for token in vocabulary if token.startswith(term))
    if len(term) >= MIN_FUZZY:
        similar.update(
            token
            for token, _score, _index in process.extract(
                term, vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None
            )
        )
    return similar
