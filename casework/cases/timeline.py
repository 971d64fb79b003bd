"""The case timeline: what happened to a case, who did it, from which agency. Codes only.

Operations call `add_entry` next to their audit event; the case page lists the entries the
viewer may see (a partner sees only its own agency's entries and the referral events).
"""

from __future__ import annotations

from typing import Any

from casework.cases.models import Case, TimelineEntry
from casework.core.db import utcnow
from casework.core.extensions import db


def add_entry(
    case: Case, kind: str, *, actor: Any = None, detail: str | None = None, target: Any = None
) -> TimelineEntry:
    """Append a timeline entry. `kind` is a code (`case.registered`, `referral.accepted`),
    `detail` codes or ids only, `target` the record it concerns (its id is kept)."""
    entry = TimelineEntry(
        case_id=case.id,
        at=utcnow(),
        actor_id=getattr(actor, "id", actor),
        agency_id=getattr(actor, "agency_id", None),
        kind=kind,
        detail=detail,
        target_id=str(target.id) if target is not None else None,
    )
    db.session.add(entry)
    return entry
