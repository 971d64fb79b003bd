"""Template helpers of the linked-cases panel (registered by web/templating.register)."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from casework.cases.guard import Change, may_change
from casework.core.extensions import db
from casework.links.models import CaseLink
from casework.links.scopes import visible_links
from casework.policy import Action, can, visible_field_groups
from casework.vocab import CASE_LINK_KINDS


def case_links(case: Any) -> list[CaseLink]:
    """The links of `case` this viewer sees (both ends open to them), newest first."""
    query = visible_links(current_user, case.id).order_by(CaseLink.created_at.desc())
    return list(db.session.scalars(query))


def may_unlink(case: Any, link: CaseLink) -> bool:
    other = link.other_end(case.id)
    return (
        can(current_user, Action.UNLINK_CASES, link)
        and may_change(case, Change.LINK_CASES)
        and may_change(other, Change.LINK_CASES)
    )


def shows_person_of(case: Any) -> bool:
    """Whether this viewer sees the person's name on `case` (its identity field group)."""
    return "identity_contact" in visible_field_groups(current_user, case)


TEMPLATE_GLOBALS: dict[str, Any] = {
    "case_links": case_links,
    "may_unlink": may_unlink,
    "shows_person_of": shows_person_of,
    "case_link_kind_label": CASE_LINK_KINDS.label,
}
