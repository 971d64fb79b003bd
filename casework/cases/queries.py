"""Case lists, search and the case page's timeline, all built on `policy.visible_cases`.

Search by name, date of birth, identity document or phone goes through the blind indexes:
the typed value's index narrows the candidates (inside the actor's visible cases only),
then each candidate is decrypted and compared exactly after the same normalisation. A
collision in the truncated index therefore never shows a wrong case.
"""

from __future__ import annotations

import uuid
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, select
from sqlalchemy.orm import selectinload

from casework.audit.models import AuditEvent
from casework.auth.models import User
from casework.cases.models import Case, IdentityDocument, Person, TimelineEntry
from casework.cases.scopes import visible_cases
from casework.core.db import parse_uuid
from casework.core.extensions import db
from casework.crypto import normalise_date
from casework.domain import CLOSED_CASE_STATUSES, OPEN_CASE_STATUSES
from casework.policy import Actor, Role
from casework.vocab import CASE_STATUSES, RISK_LEVELS

SEARCH_KINDS = ("any", "reference", "name", "date_of_birth", "document", "phone")
SORTS = ("reference", "identified", "risk", "status", "updated")
MIN_PHONE_DIGITS = 6
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
) -> Select[Any]:
    """The actor's visible cases (only those assigned to them when `mine`), filtered."""
    query = visible_cases(actor)
    if mine:
        query = query.where(Case.assigned_to_id == actor.id)
    if status == "open":
        query = query.where(Case.status.in_(sorted(OPEN_CASE_STATUSES)))
    elif status == "closed":
        query = query.where(Case.status.in_(sorted(CLOSED_CASE_STATUSES)))
    elif status:
        query = query.where(Case.status == status)
    if risk:
        query = query.where(Case.risk_level == risk)
    if assignee == "none":
        query = query.where(Case.assigned_to_id.is_(None))
    elif assignee:
        query = query.where(Case.assigned_to_id == parse_uuid(assignee))
    if q:
        query = query.where(Case.id.in_(search(actor, q, search_in)))
    column = _sort_column(sort)
    order = column.desc() if descending else column.asc()
    # The list shows each case's person: load them in one query, not one per row.
    query = query.options(selectinload(Case.person))
    return query.order_by(order, Case.reference.desc() if descending else Case.reference)


def search(actor: Actor, q: str, search_in: str = "any") -> set[uuid.UUID]:
    """Ids of the actor's visible cases matching `q` (never any other case)."""
    q = q.strip()
    if not q:
        return set()
    visible = visible_cases(actor).with_only_columns(Case.id)
    found: set[uuid.UUID] = set()
    if search_in in ("any", "reference"):
        found |= set(
            db.session.scalars(
                select(Case.id).where(
                    Case.id.in_(visible), Case.reference.icontains(q, autoescape=True)
                )
            )
        )
    if search_in in ("any", "name"):
        found |= _indexed(Person, "full_name", q, visible)
    if search_in in ("any", "date_of_birth"):
        with suppress(ValueError):  # not a date: nothing to find by date of birth
            found |= _indexed(Person, "date_of_birth", normalise_date(q), visible)
    if search_in in ("any", "document"):
        found |= _indexed(IdentityDocument, "number", q, visible)
    if search_in in ("any", "phone") and sum(ch.isdigit() for ch in q) >= MIN_PHONE_DIGITS:
        found |= _indexed(Person, "phone", q, visible)
    return found


def _indexed(model: Any, name: str, value: str, visible: Any = None) -> set[uuid.UUID]:
    """Case ids whose `model.name` equals `value` after normalisation: the blind index
    narrows, decryption and an exact comparison decide."""
    spec = getattr(model, name)
    index = spec.blind_index(model, value)
    if index is None:
        return set()
    query = select(model).where(getattr(model, spec.index_attr) == index)
    if visible is not None:
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
    return list(db.session.scalars(query.order_by(TimelineEntry.at.desc())))


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
