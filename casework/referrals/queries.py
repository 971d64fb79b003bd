"""Referral lists, always from the policy's scoped query: an inbox, what was sent, a case's
referrals, and the agencies a case may be referred to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, select

from casework.agencies.models import Agency
from casework.cases.models import Case
from casework.core.extensions import db
from casework.domain import AGENCY_CONSENT_PURPOSES, ReferralStatus
from casework.referrals import expiry
from casework.referrals.models import Referral, ReferralService
from casework.referrals.scopes import visible_referrals
from casework.vocab import REFERRAL_STATUSES


def effective_status_sql(now: datetime | None = None) -> Any:
    """The SQL twin of `expiry.effective_status`, for filters and counts."""
    overdue = and_(
        Referral.status == ReferralStatus.PENDING,
        Referral.created_at <= expiry.expiry_cutoff(now),
    )
    return case((overdue, ReferralStatus.EXPIRED.value), else_=Referral.status)


def _filtered(
    query: Select[Any],
    *,
    status: str | None,
    service: str | None,
    urgency: str | None,
    country: str | None,
    country_column: Any,
    now: datetime | None,
) -> Select[Any]:
    if status:
        query = query.where(effective_status_sql(now) == status)
    if service:
        query = query.where(
            Referral.id.in_(
                select(ReferralService.referral_id).where(ReferralService.service_type == service)
            )
        )
    if urgency:
        query = query.where(Referral.urgency == urgency)
    if country:
        query = query.where(country_column == country)
    return query


def inbox(actor: Any, *, now: datetime | None = None, **filters: Any) -> Select[Any]:
    """Referrals received by the actor's agency, pending first, then the oldest first."""
    query = visible_referrals(actor).where(Referral.to_agency_id == actor.agency_id)
    query = _filtered(query, country_column=Referral.from_country, now=now, **filters)
    pending_first = (effective_status_sql(now) != ReferralStatus.PENDING).asc()
    return query.order_by(pending_first, Referral.created_at.asc())


def sent(actor: Any, *, now: datetime | None = None, **filters: Any) -> Select[Any]:
    """Referrals the actor's agency sent (a caseworker: on their cases), newest first."""
    query = visible_referrals(actor).where(Referral.from_agency_id == actor.agency_id)
    query = _filtered(query, country_column=Referral.to_country, now=now, **filters)
    return query.order_by(Referral.created_at.desc())


def status_counts(query: Select[Any], now: datetime | None = None) -> dict[str, int]:
    """How many referrals of `query` are in each (effective) status; every status present."""
    status = effective_status_sql(now)
    sub = query.order_by(None).with_only_columns(status.label("status")).subquery()
    rows = db.session.execute(select(sub.c.status, func.count()).group_by(sub.c.status)).all()
    counts = dict.fromkeys(REFERRAL_STATUSES.codes, 0)
    counts.update({row[0]: int(row[1]) for row in rows})
    return counts


def case_referrals(actor: Any, case: Case) -> list[Referral]:
    """The referrals of one case the actor may see (a partner: those to its agency)."""
    query = visible_referrals(actor).where(Referral.case_id == case.id)
    return list(db.session.execute(query.order_by(Referral.created_at.desc())).scalars())


def receiving_agencies(
    case: Case, *, services: list[str] | None = None, country: str | None = None
) -> list[Agency]:
    """Active agencies other than the owner, offering every service asked for, in `country`.
    Filtered in Python: services_offered is a JSON list (portable across databases)."""
    query = select(Agency).where(Agency.active.is_(True), Agency.id != case.agency_id)
    if country:
        query = query.where(Agency.country == country)
    agencies = db.session.execute(query.order_by(Agency.country, Agency.name)).scalars()
    wanted = set(services or [])
    return [a for a in agencies if wanted <= set(a.services_offered or []) and a.services_offered]


def consented_agency_ids(case: Case) -> set[Any]:
    return {
        c.shared_with_agency_id
        for c in case.consents
        if c.is_current and c.purpose in AGENCY_CONSENT_PURPOSES and c.shared_with_agency_id
    }
