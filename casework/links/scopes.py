"""Which links a person sees: the SQL twin of Action.VIEW_CASE_LINK (decision 0114).

A link is listed when the viewer may open both of its cases: both ends must be in the
viewer's `visible_cases`, and neither may be erased. So a link never shows a case the viewer
cannot open, not even as a count."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, false, or_, select

from casework.cases.models import Case
from casework.cases.scopes import visible_cases
from casework.links.models import CaseLink
from casework.policy import Action, can


def visible_links(actor: Any, case_id: uuid.UUID) -> Select[Any]:
    """The links of the case `case_id` the actor may see (both ends visible, none erased)."""
    query = select(CaseLink).where(
        or_(CaseLink.case_id == case_id, CaseLink.other_case_id == case_id)
    )
    if not can(actor, Action.VIEW_CASE_LINK):
        return query.where(false())
    seen = visible_cases(actor).where(Case.erased_at.is_(None)).with_only_columns(Case.id)
    return query.where(CaseLink.case_id.in_(seen), CaseLink.other_case_id.in_(seen))
