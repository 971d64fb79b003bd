"""Read-only queries for the admin pages, built on the policy's scoped queries.

Every list starts from `casework.admin.scopes.visible_*`, which returns no rows unless the actor
holds the permission; the filters here only narrow it further.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, false, func, or_, select

from casework.admin.scopes import visible_agencies, visible_audit_events, visible_users
from casework.agencies.models import Agency
from casework.audit.models import AuditEvent
from casework.auth.models import User
from casework.auth.operations import normalise_email
from casework.cases.models import Case
from casework.core.db import Base, parse_uuid
from casework.core.extensions import db
from casework.policy import Actor

# What the sign-in history shows: every step of signing in, signing out and lockouts.
SIGN_IN_PREFIX = "sign_in."
SIGN_IN_EXTRA_ACTIONS = ("sign_out", "account.locked")


def _status(query: Select[Any], column: Any, status: str | None) -> Select[Any]:
    if status == "active":
        return query.where(column.is_(True))
    if status == "inactive":
        return query.where(column.is_(False))
    return query


def agency_list(actor: Actor, *, q: str | None = None, status: str | None = None) -> Select[Any]:
    """Agencies by name, optionally those whose name contains `q`."""
    query = visible_agencies(actor)
    if q:
        query = query.where(Agency.name.icontains(q, autoescape=True))
    return _status(query, Agency.active, status).order_by(Agency.name, Agency.id)


def user_list(
    actor: Actor,
    *,
    q: str | None = None,
    agency_id: str | None = None,
    role: str | None = None,
    status: str | None = None,
) -> Select[Any]:
    """Users by email, filtered by text (name or email), agency, role and status."""
    query = visible_users(actor)
    if q:
        query = query.where(
            or_(User.email.icontains(q, autoescape=True), User.name.icontains(q, autoescape=True))
        )
    if agency_id:
        query = query.where(User.agency_id == parse_uuid(agency_id))
    if role:
        query = query.where(User.role == role)
    return _status(query, User.active, status).order_by(User.email, User.id)


def find_user_id(text: str) -> uuid.UUID | None:
    """The id of the user named by `text`: an id as such, or an email address."""
    as_id = parse_uuid(text)
    if as_id is not None:
        return as_id
    return db.session.execute(
        select(User.id).where(User.email == normalise_email(text))
    ).scalar_one_or_none()


def _same_actor(query: Select[Any], who: str | None) -> Select[Any]:
    if not who:
        return query
    user_id = find_user_id(who)
    # An unknown email matches nothing rather than being ignored (which would show all).
    return query.where(false()) if user_id is None else query.where(AuditEvent.actor_id == user_id)


def sign_in_events(
    actor: Actor, *, user: str | None = None, outcome: str | None = None
) -> Select[Any]:
    """Sign-in, sign-out and lockout events, newest first."""
    query = visible_audit_events(actor).where(
        or_(
            AuditEvent.action.startswith(SIGN_IN_PREFIX, autoescape=True),
            AuditEvent.action.in_(SIGN_IN_EXTRA_ACTIONS),
        )
    )
    query = _same_actor(query, user)
    if outcome:
        query = query.where(AuditEvent.outcome == outcome)
    return query.order_by(AuditEvent.seq.desc())


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def audit_events(
    actor: Actor,
    *,
    action: str | None = None,
    who: str | None = None,
    target: str | None = None,
    outcome: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Select[Any]:
    """Every audit event, newest first, narrowed by the filters given."""
    query = _same_actor(visible_audit_events(actor), who)
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if target:
        query = query.where(AuditEvent.target_id == target)
    if outcome:
        query = query.where(AuditEvent.outcome == outcome)
    if date_from:
        query = query.where(AuditEvent.at >= _start_of(date_from))
    if date_to and date_to < date.max:  # the last day there is: no upper bound
        query = query.where(AuditEvent.at < _start_of(date_to + timedelta(days=1)))
    return query.order_by(AuditEvent.seq.desc())


# ---- batched look-ups for a page of rows (one query each, never one per row) -------------


def user_names(actor: Actor, ids: Iterable[Any]) -> dict[str, tuple[str, str]]:
    """(name, email) by user id (as text), for an actor who may manage accounts (the
    administrator: `visible_users`); nobody else learns a name here."""
    wanted = {parsed for parsed in (parse_uuid(i) for i in ids if i) if parsed is not None}
    if not wanted:
        return {}
    query = visible_users(actor).with_only_columns(User.id, User.name, User.email)
    rows = db.session.execute(query.where(User.id.in_(wanted)))
    return {str(user_id): (name, email) for user_id, name, email in rows}


def _case_records() -> dict[str, Any]:
    """Every mapped record of a case (a table with a case_id: notes, consents, referrals...),
    by table name."""
    return {
        str(getattr(mapper.local_table, "name", "")): mapper.class_
        for mapper in Base.registry.mappers
        if "case_id" in mapper.columns and mapper.local_table is not None
    }


def target_case_references(targets: Iterable[tuple[str | None, str | None]]) -> dict[str, str]:
    """The case reference of each audit target that is a case or one of its records (a
    referral, a consent, a note...), by target id: an identifier, no case content. One query
    per kind of record on the page, never one per row."""
    by_kind: dict[str, set[uuid.UUID]] = {}
    for kind, ident in targets:
        parsed = parse_uuid(ident) if ident else None
        if kind and parsed is not None:
            by_kind.setdefault(kind, set()).add(parsed)
    references = case_references(by_kind.pop("cases", ()))
    children = _case_records()
    for kind, ids in sorted(by_kind.items()):
        model = children.get(kind)
        if model is None:
            continue
        rows = db.session.execute(
            select(model.id, Case.reference)
            .join(Case, Case.id == model.case_id)
            .where(model.id.in_(ids))
        )
        references.update({str(ident): reference for ident, reference in rows})
    return references


def agency_names(ids: Iterable[Any]) -> dict[str, str]:
    """Name by agency id (as text)."""
    wanted = {parsed for parsed in (parse_uuid(i) for i in ids if i) if parsed is not None}
    if not wanted:
        return {}
    rows = db.session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(wanted)))
    return {str(agency_id): name for agency_id, name in rows}


def case_references(ids: Iterable[Any]) -> dict[str, str]:
    """Case reference (TH-2026-000007) by case id (as text): an identifier, no case content."""
    wanted = {parsed for parsed in (parse_uuid(i) for i in ids if i) if parsed is not None}
    if not wanted:
        return {}
    rows = db.session.execute(select(Case.id, Case.reference).where(Case.id.in_(wanted)))
    return {str(case_id): reference for case_id, reference in rows}


def user_counts(agency_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Number of users (active or not) of each agency."""
    wanted = set(agency_ids)
    if not wanted:
        return {}
    rows = db.session.execute(
        select(User.agency_id, func.count(User.id).label("users"))
        .where(User.agency_id.in_(wanted))
        .group_by(User.agency_id)
    )
    return {row.agency_id: row.users for row in rows}


def active_user_count(agency: Agency) -> int:
    return int(
        db.session.execute(
            select(func.count(User.id)).where(User.agency_id == agency.id, User.active.is_(True))
        ).scalar_one()
    )


def agency_choices(actor: Actor, *, include: uuid.UUID | None = None) -> list[tuple[str, str]]:
    """Active agencies (and `include`, the current one, even if deactivated) for a select."""
    query = visible_agencies(actor).where(
        or_(Agency.active.is_(True), Agency.id == include) if include else Agency.active.is_(True)
    )
    agencies = db.session.execute(query.order_by(Agency.name)).scalars()
    return [(str(a.id), a.name) for a in agencies]


def all_agency_choices(actor: Actor) -> list[tuple[str, str]]:
    """Every agency, for filtering lists."""
    agencies = db.session.execute(visible_agencies(actor).order_by(Agency.name)).scalars()
    return [(str(a.id), a.name) for a in agencies]
