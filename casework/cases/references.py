"""Human case references: `TH-2026-000123` (agency country, year, number). No personal data."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from casework.cases.models import ReferenceCounter
from casework.core.extensions import db


def next_reference(country: str, on: date) -> str:
    """The next free reference for `country` in `on`'s year (the counter row is locked
    until the request commits, so two registrations never share a number)."""
    prefix = country.upper()
    counter = db.session.execute(
        select(ReferenceCounter)
        .where(ReferenceCounter.prefix == prefix, ReferenceCounter.year == on.year)
        .with_for_update()
    ).scalar_one_or_none()
    if counter is None:
        counter = ReferenceCounter(prefix=prefix, year=on.year, last=0)
        db.session.add(counter)
    counter.last += 1
    db.session.flush()
    return f"{prefix}-{on.year}-{counter.last:06d}"
