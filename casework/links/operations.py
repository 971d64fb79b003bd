"""Linking two cases and removing a link (issue 14, decision 0114).

verb_noun operations: they ask the policy and the guard, change the ORM, write a timeline
entry on both cases and an audit event (ids and codes only, never the note), flush, and never
commit. The other case is named by its reference; one the actor may not open is refused with
the words and the audit event of one that does not exist, so a link learns nothing about
cases beyond the actor's reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework import audit
from casework.cases.errors import RecordError
from casework.cases.guard import Change, ensure_may_change
from casework.cases.models import Case
from casework.cases.scopes import visible_cases
from casework.cases.timeline import add_entry
from casework.core.extensions import db
from casework.links.models import CaseLink, pair_of
from casework.policy import Action, can, require
from casework.vocab import CASE_LINK_KINDS

NO_SUCH_CASE = _l(
    "No case you may open has this reference. Check the reference (for example "
    "TH-2026-000123) with whoever gave it to you."
)
NOT_ITSELF = _l("A case cannot be linked to itself.")
LINKED_BEFORE = _l("These two cases are already linked.")
NOT_A_KIND = _l("Choose how the two cases are linked.")
MAX_NOTE = 2000


@dataclass(frozen=True)
class LinkDraft:
    """What Action.LINK_CASES decides on before the link exists: its two cases."""

    case: Any
    other_case: Any


def linkable_case(actor: Any, reference: str) -> Case | None:
    """The case with this reference, if the actor may open it and it is not erased."""
    wanted = " ".join(reference.split()).upper()
    if not wanted:
        return None
    query = visible_cases(actor).where(Case.reference == wanted, Case.erased_at.is_(None))
    return db.session.execute(query.limit(1)).scalar_one_or_none()


def link_cases(actor: Any, case: Case, *, reference: str, kind: str, note: str | None) -> CaseLink:
    """Link `case` to the case with `reference`; RecordError (naming the field) otherwise."""
    ensure_may_change(case, Change.LINK_CASES, RecordError)
    if kind not in CASE_LINK_KINDS:
        raise RecordError(str(NOT_A_KIND), "kind")
    other = linkable_case(actor, reference)
    if other is None or not can(actor, Action.LINK_CASES, LinkDraft(case, other)):
        # Missing, another agency's, a colleague's, erased: the same answer and the same write.
        audit.record(
            "case_link.refused", actor=actor, target=case, outcome="not_found", durable=True
        )
        raise RecordError(str(NO_SUCH_CASE), "reference")
    if other.id == case.id:
        raise RecordError(str(NOT_ITSELF), "reference")
    ensure_may_change(other, Change.LINK_CASES, RecordError)
    pair = pair_of(case.id, other.id)
    if db.session.execute(select(CaseLink.id).where(CaseLink.pair == pair)).first():
        raise RecordError(str(LINKED_BEFORE), "reference")
    link = CaseLink(case=case, other_case=other, pair=pair, kind=kind, created_by_id=actor.id)
    link.note = (note or "").strip()[:MAX_NOTE] or None
    db.session.add(link)
    db.session.flush()
    add_entry(case, "case_link.added", actor=actor, detail=str(other.id), target=link)
    add_entry(other, "case_link.added", actor=actor, detail=str(case.id), target=link)
    audit.record("case_link.added", actor=actor, target=link, detail=kind)
    db.session.flush()
    return link


def unlink_cases(actor: Any, case: Case, link: CaseLink) -> None:
    """Remove `link` (seen from `case`, one of its ends); both cases keep a timeline entry."""
    require(actor, Action.UNLINK_CASES, link)
    other = link.other_end(case.id)
    ensure_may_change(case, Change.LINK_CASES, RecordError)
    ensure_may_change(other, Change.LINK_CASES, RecordError)
    add_entry(case, "case_link.removed", actor=actor, detail=str(other.id), target=link)
    add_entry(other, "case_link.removed", actor=actor, detail=str(case.id), target=link)
    audit.record("case_link.removed", actor=actor, target=link, detail=link.kind)
    db.session.delete(link)
    db.session.flush()
