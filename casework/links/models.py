"""A link between two cases (issue 14, decision 0114)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.cases.models import CaseChild
from casework.core.db import Base, Timestamps, UUIDPrimaryKey
from casework.encryption.fields import encrypted

if TYPE_CHECKING:
    from casework.cases.models import Case


def pair_of(one: uuid.UUID, other: uuid.UUID) -> str:
    """The unordered pair of two case ids, as one string: one link per pair."""
    low, high = sorted((str(one), str(other)))
    return f"{low}:{high}"


class CaseLink(CaseChild, UUIDPrimaryKey, Timestamps, Base):
    """`case` is the case the link was made from (its data key encrypts the note; erasing it
    clears the note), `other_case` the other end. A link is symmetrical: it shows on both
    cases, to whoever may open both (policy: Action.VIEW_CASE_LINK)."""

    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("pair", name="uq_case_links_pair"),)

    other_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    pair: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))  # vocab.CASE_LINK_KINDS
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    note = encrypted()

    case: Mapped[Case] = relationship(foreign_keys="CaseLink.case_id")
    other_case: Mapped[Case] = relationship(foreign_keys=[other_case_id])

    def other_end(self, case_id: uuid.UUID) -> Case:
        """The case at the other end, seen from `case_id`."""
        return self.other_case if self.case_id == case_id else self.case
