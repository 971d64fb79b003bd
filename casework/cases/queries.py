"""Case lists, search and the case page's timeline, all built on `policy.visible_cases`.

Search by name, date of birth, identity document or phone goes through the blind indexes:
the typed value's index narrows the candidates (inside the actor's visible cases only),
then each candidate is decrypted and compared exactly after the same normalisation. A
collision in the truncated index therefore never shows a wrong case.

Names are also found as people remember them (`name_search`: parts, any order, typos, other
scripts), among the same visible cases; a date of birth in the reader's format and a phone
number the local way are read first (`core/search_text.py`) and then found through the
indexes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, case, select
from sqlalchemy.orm import selectinload

from casework.audit.models import AuditEvent
from casework.auth.models import User
from casework.cases.models import Case, IdentityDocument, Person, TimelineEntry
from casework.cases.name_search import matching_cases, scope_condition
from casework.cases.scopes import visible_cases
from casework.core.db import parse_uuid
from casework.core.extensions import db
from casework.core.search_text import day_example, name_parts, parse_day, phone_variants
from casework.domain import CASE_STATUS_GROUPS, CaseStatusGroup
from casework.policy import Actor, Role, visible_field_groups
from casework.vocab import CASE_STATUSES, RISK_LEVELS

SEARCH_KINDS = ("any", "reference", "name", "date_of_birth", "document", "phone")
SORTS = ("reference", "identified", "risk", "status", "updated")
READS_SHOWN = 50


def _rank(column: Any, codes: tuple[str, ...]) -> Any:
    return case({code: rank for rank, code in enumerate(codes)}, value=column, else_=len(codes))


def _sort_column(sort: str) -> Any:
    return {
        "reference": Case.reference,
        "identified": Case.identified_on,
        "risk": _rank(Case.risk_level, RISK_LEVELS.codes),
        "status": _rank(Case.status, CASE_STATUSES.codes),
        "updated": Case.updated_at,
    }.get(sort, Case.updated_at)


def case_list(
    actor: Actor,
    *,
    mine: bool,
    status: str | None = None,
    risk: str | None = None,
    assignee: str | None = None,
    q: str | None = None,
    search_in: str = "any",
    sort: str = "updated",
    descending: bool = True,
    language: str | None = None,
    region: str | None = None,
) -> Select[Any]:
    """The actor's visible cases (only those assigned to them when `mine`), filtered."""
    query = visible_cases(actor)
    if mine:
        query = query.where(Case.assigned_to_id == actor.id)
    if status in CASE_STATUS_GROUPS:
        query = query.where(Case.status.in_(sorted(CASE_STATUS_GROUPS[CaseStatusGroup(status)])))
    elif status:
        query = query.where(Case.status == status)
    if risk:
        query = query.where(Case.risk_level == risk)
    if assignee == "none":
        query = query.where(Case.assigned_to_id.is_(None))
    elif assignee:
        query = query.where(Case.assigned_to_id == parse_uuid(assignee))
    if q:
        found = search(actor, q, search_in, language=language, region=region)
        query = query.where(Case.id.in_(found))
    column = _sort_column(sort)
    order = column.desc() if descending else column.asc()
    # The list shows each case's person: load them in one query, not one per row.
    query = query.options(selectinload(Case.person))
    return query.order_by(order, Case.reference.desc() if descending else Case.reference)


@dataclass(frozen=True)
class Searched:
    """What a search term was read as, for the page that found nothing."""

    names: bool  # names were searched (parts, any order, any script)
    reference: bool
    document: bool
    day: date | None  # the date of birth looked for, when the term is a date
    phone: str | None  # the number in international form, when the term is one
    example_day: str  # a date in the reader's format, for "try"


def understood(q: str, search_in: str, *, language: str | None, region: str | None) -> Searched:
    q = q.strip()
    every = search_in == "any"
    day = parse_day(q, language, region) if search_in in ("any", "date_of_birth") else None
    phones = phone_variants(q, region) if search_in in ("any", "phone") and not day else []
    return Searched(
        names=(every or search_in == "name")
        and not day
        and len(phones) < 2
        and bool(name_parts(q)),
        reference=search_in in ("any", "reference"),
        document=search_in in ("any", "document"),
        day=day,
        phone=phones[1] if len(phones) > 1 else None,
        example_day=day_example(language, region),
    )


def search(
    actor: Actor,
    q: str,
    search_in: str = "any",
    *,
    language: str | None = None,
    region: str | None = None,
) -> set[uuid.UUID]:
    """Ids of the actor's visible cases matching `q` (never any other case). `language` (the
    reader's) and `region` (the agency's country) say how dates and phone numbers are read."""
    q = q.strip()
    if not q:
        return set()
    visible = visible_cases(actor)
    found: set[uuid.UUID] = set()
    personal: set[uuid.UUID] = set()  # found by a field of the person (identity and contact)
    documents: set[uuid.UUID] = set()
    if search_in in ("any", "reference"):
        found |= set(
            db.session.scalars(
                visible.with_only_columns(Case.id).where(
                    Case.reference.icontains(q, autoescape=True)
                )
            )
        )
    if search_in in ("any", "name"):
        personal |= _indexed(Person, "full_name", q, visible)
        if any(ch.isalpha() for ch in q):  # a number or a date is no name
            scope = (actor.id, actor.role, actor.agency_id)
            personal |= matching_cases(visible, q, scope=scope)
    if search_in in ("any", "date_of_birth"):
        day = parse_day(q, language, region)
        if day is not None:
            personal |= _indexed(Person, "date_of_birth", day.isoformat(), visible)
    if search_in in ("any", "document"):
        documents |= _indexed(IdentityDocument, "number", q, visible)
    if search_in in ("any", "phone"):
        for variant in phone_variants(q, region):
            personal |= _indexed(Person, "phone", variant, visible)
    # Only what the scoped query answers now (the names in memory may be a moment old), and
    # never an erased case by what it held.
    personal = _still(visible, personal, Case.erased_at.is_(None))
    found |= _shown(actor, personal, "identity_contact")
    found |= _shown(actor, _still(visible, documents), "documents")
    return found


def _still(visible: Select[Any], ids: set[uuid.UUID], *conditions: Any) -> set[uuid.UUID]:
    if not ids:
        return ids
    query = visible.with_only_columns(Case.id).where(Case.id.in_(ids), *conditions)
    return set(db.session.scalars(query))


def _shown(actor: Actor, ids: set[uuid.UUID], group: str) -> set[uuid.UUID]:
    """The cases among `ids` whose field `group` the actor sees: a partner finds a case by a
    field only when its referral shares that field (data minimisation)."""
    if not ids or Role(actor.role) != Role.PARTNER:
        return ids
    cases = db.session.scalars(select(Case).where(Case.id.in_(ids)))
    return {case.id for case in cases if group in visible_field_groups(actor, case)}


def _indexed(model: Any, name: str, value: str, visible: Any = None) -> set[uuid.UUID]:
    """Case ids whose `model.name` equals `value` after normalisation: the blind index
    narrows, decryption and an exact comparison decide."""
    spec = getattr(model, name)
    # Both index generations while a `keys rotate-index` is unfinished (issue 13).
    indexes = spec.search_indexes(model, value)
    if not indexes:
        return set()
    query = select(model).where(getattr(model, spec.index_attr).in_(indexes))
    if isinstance(visible, Select):  # the scope's own conditions on the joined case
        query = query.join(Case, Case.id == model.case_id).where(scope_condition(visible))
    elif visible is not None:  # a subquery of case ids (the duplicate check)
        query = query.where(model.case_id.in_(visible))
    return {
        record.case_id
        for record in db.session.scalars(query)
        if spec.matches(spec.__get__(record), value)
    }


def assignee_choices(actor: Actor) -> list[tuple[str, str]]:
    """Staff of the actor's agency who can hold cases, for the assignee filter."""
    users = db.session.scalars(
        select(User)
        .where(
            User.agency_id == actor.agency_id,
            User.role.in_([Role.CASEWORKER.value, Role.SUPERVISOR.value]),
        )
        .order_by(User.name, User.email)
    )
    return [(str(user.id), user.name) for user in users]


# ---- the case page -------------------------------------------------------------------------


@dataclass(frozen=True)
class Read:
    at: datetime
    user_name: str
    agency_name: str
    view: str | None


def case_timeline(actor: Actor, case_: Case) -> list[TimelineEntry]:
    """Timeline entries of the case the actor may see, newest first. Another agency's user
    (a partner) sees their own agency's entries and the events of the referrals made to their
    agency only: never a referral to another agency, who answered it, or its staff."""
    query = select(TimelineEntry).where(TimelineEntry.case_id == case_.id)
    if actor.agency_id != case_.agency_id:
        own_referrals = [str(r.id) for r in case_.referrals if r.to_agency_id == actor.agency_id]
        query = query.where(
            (
                (TimelineEntry.agency_id == actor.agency_id)
                & ~TimelineEntry.kind.startswith("referral.", autoescape=True)
            )
            | TimelineEntry.target_id.in_(own_referrals)
        )
    entries = list(db.session.scalars(query.order_by(TimelineEntry.at.desc())))
    return _without_hidden_links(actor, entries)


def _without_hidden_links(actor: Actor, entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """A link's entries (`case_link.*`) name the other case by id (their detail): kept only
    for whoever may open that case too, and not when it is erased, so a link never reveals
    a case by its existence (decision 0114)."""
    others = {
        uuid.UUID(entry.detail)
        for entry in entries
        if entry.kind.startswith("case_link.") and entry.detail
    }
    if not others:
        return entries
    query = visible_cases(actor).where(Case.id.in_(others), Case.erased_at.is_(None))
    seen = {str(case_id) for case_id in db.session.scalars(query.with_only_columns(Case.id))}
    return [
        entry
        for entry in entries
        if not entry.kind.startswith("case_link.") or entry.detail in seen
    ]


def case_reads(actor: Actor, case_: Case) -> tuple[list[Read], int]:
    """Who opened the case (the latest READS_SHOWN) and how many openings in all; another
    agency's user sees their own agency's openings only."""
    from casework.agencies.models import Agency

    condition = (
        (AuditEvent.action == "case.viewed")
        & (AuditEvent.target_type == Case.__tablename__)
        & (AuditEvent.target_id == str(case_.id))
    )
    query = (
        select(AuditEvent.at, User.name, Agency.name, AuditEvent.detail)
        .join(User, User.id == AuditEvent.actor_id)
        .join(Agency, Agency.id == User.agency_id)
        .where(condition)
    )
    if actor.agency_id != case_.agency_id:
        query = query.where(User.agency_id == actor.agency_id)
    total = db.session.scalar(query.with_only_columns(db.func.count()).order_by(None)) or 0
    rows = db.session.execute(query.order_by(AuditEvent.seq.desc()).limit(READS_SHOWN))
    return [Read(*row) for row in rows], int(total)


def user_names(ids: set[Any]) -> dict[Any, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())
