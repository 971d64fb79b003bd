"""Erasure of a closed case's identifying data, and the retention rule that makes it due.

Erasing crypto-shreds the case: its data key is destroyed (`shred_record`), so every field
and file encrypted under it can never be opened again. On top of that, the ciphertexts and
the blind indexes of every record under the case key are cleared (a blind index is keyed by
the installation, not the case, so leaving it would keep the case findable by exact name),
and the attachments' stored chunks are deleted in the erasure's own transaction (decision
0073: an erasure killed after its commit leaves nothing behind). Coded fields
(status, gender, age band, citizenship, exploitation types, consents' purposes and dates,
the timeline) stay for statistics.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import Select, select

from casework import audit
from casework.auth.models import User
from casework.cases.attachments.operations import remove_content
from casework.cases.errors import RecordError
from casework.cases.guard import Change, ensure_may_change
from casework.cases.models import Case, CaseChild
from casework.cases.scopes import visible_cases
from casework.cases.timeline import add_entry
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.domain import CLOSED_CASE_STATUSES
from casework.encryption.fields import forget_plaintexts
from casework.encryption.operations import shred_record
from casework.vocab.records import ERASURE_REASONS
from config import SETTING_RANGES, ConfigError


def _case_record_classes() -> list[type[Any]]:
    """Every mapped model encrypted under a case's key (people, notes, referrals, ...)."""
    found: list[type[Any]] = []
    pending = list(CaseChild.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "__tablename__" in cls.__dict__ and cls.encrypted_fields:
            found.append(cls)
    return sorted(found, key=lambda cls: cls.__tablename__)


def erase_case(actor: User | None, case: Case, *, reason: str) -> bool:
    """Erase a closed case's identifying data (False if it already was). `actor` is None
    when the retention command erases."""
    if case.is_erased:
        return False
    ensure_may_change(case, Change.ERASE, RecordError)
    if reason not in ERASURE_REASONS:
        raise ValueError(f"unknown erasure reason {reason!r}")
    for attachment in list(case.attachments):
        remove_content(attachment)
        for consent in case.consents:
            if consent.attachment_id == attachment.id:
                consent.attachment_id = None
        case.attachments.remove(attachment)
        db.session.delete(attachment)
    db.session.flush()
    for cls in _case_record_classes():
        rows = db.session.execute(select(cls).where(cls.case_id == case.id)).scalars()
        for row in rows:
            for spec in cls.encrypted_fields:
                setattr(row, spec.ct_attr, None)
                if spec.index:
                    setattr(row, spec.index_attr, None)
            forget_plaintexts(row)
    shred_record(case, actor=actor, reason=reason)
    case.erased_at = utcnow()
    db.session.flush()
    add_entry(case, "case.erased", actor=actor, detail=reason)
    audit.record("case.erased", actor=actor, target=case, detail=reason)
    return True


def erase_confirmed(case: Case, typed: str | None) -> bool:
    """The typed confirmation matches the case reference (case and spaces aside)."""
    return "".join((typed or "").split()).upper() == case.reference.upper()


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Cases closed on or before this moment are due for erasure."""
    now = now or utcnow()
    years = current_app.config["RETENTION_YEARS"]
    low, high = SETTING_RANGES["RETENTION_YEARS"]
    if isinstance(years, bool) or not isinstance(years, int) or not low <= years <= high:
        # Checked at start too (config.check_settings); a value changed since must not make
        # every closed case due.
        raise ConfigError(f"RETENTION_YEARS must be between {low} and {high}")
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February, in a year that has none
        return now.replace(year=now.year - years, day=28)


def _due(query: Select[Any], now: datetime | None) -> Select[Any]:
    return query.where(
        Case.status.in_(sorted(CLOSED_CASE_STATUSES)),
        Case.erased_at.is_(None),
        Case.closed_at.is_not(None),
        Case.closed_at <= retention_cutoff(now),
    ).order_by(Case.closed_at, Case.reference)


def due_for_erasure(now: datetime | None = None) -> Select[Any]:
    """Every case due for erasure (the retention command)."""
    return _due(select(Case), now)


def visible_due_for_erasure(actor: User, now: datetime | None = None) -> Select[Any]:
    """The cases due for erasure that `actor` may see (a supervisor: their agency's)."""
    return _due(visible_cases(actor), now)
