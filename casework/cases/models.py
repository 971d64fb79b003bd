"""The case record: a case, the person it is about, and what hangs off it.

Identifying data is encrypted under the case's own data key (`encrypted()` attributes);
coded fields stay in clear for statistics and survive crypto-shredding. A human reference
(`TH-2026-000123`) carries no personal data.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    and_,
    false,
    not_,
    or_,
    text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from casework.core.db import Base, Timestamps, UTCDateTime, UUIDPrimaryKey, utcnow
from casework.domain import (
    AGENCY_CONSENT_PURPOSES,
    CASE_TRANSITIONS,
    CLOSED_CASE_STATUSES,
    CONTINUING_CASE_STATUSES,
    PROCESSING_CONSENT_PURPOSE,
    UNCATEGORISED_NOTES,
    CaseEvent,
    CaseStatus,
    ClosureRequestState,
)
from casework.encryption.fields import EncryptedRecord, OwnsDataKey, encrypted

if TYPE_CHECKING:
    from casework.agencies.models import Agency
    from casework.auth.models import User
    from casework.referrals.models import Referral


def _registering_agency(context: Any) -> Any:
    """The default of `Case.sealed_for_agency_id`: the agency the case is registered in."""
    return context.get_current_parameters()["agency_id"]


class Case(OwnsDataKey, UUIDPrimaryKey, Timestamps, Base):
    """A presumed or identified victim's case, owned by one agency."""

    __tablename__ = "cases"
    # The lists: a caseworker's and an agency's cases, most recently updated first.
    __table_args__ = (
        Index("ix_cases_assigned_to_id_updated_at", "assigned_to_id", "updated_at"),
        Index("ix_cases_agency_id_updated_at", "agency_id", "updated_at"),
    )

    reference: Mapped[str] = mapped_column(String(32), unique=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    # The agency the case's records are sealed for (the associated data of every encrypted
    # field and attachment chunk): the registering agency, for the case's whole life. A
    # transfer changes `agency_id` (who owns the case), never this (decision 0091).
    sealed_for_agency_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agencies.id"), default=_registering_agency
    )
    # The field groups the owner sees: None, all of them; after a transfer, the groups the
    # sender handed over (set when the transfer is accepted, decision 0091).
    owner_field_groups: Mapped[list[str] | None] = mapped_column(JSON)
    assigned_to_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.ACTIVE.value, index=True)
    closure_reason: Mapped[str | None] = mapped_column(String(40))
    closure_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closure_requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    closure_requested_status: Mapped[str | None] = mapped_column(String(20))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    identified_on: Mapped[date] = mapped_column(Date, index=True)
    identification_channel: Mapped[str] = mapped_column(String(30))
    risk_level: Mapped[str] = mapped_column(String(20), default="medium", index=True)

    # Trafficking context (HTCDS code lists). Multi-valued lists live in CaseCode.
    trafficking_status: Mapped[str | None] = mapped_column(String(40))
    status_decided_by: Mapped[str | None] = mapped_column(String(40))
    forced_labour_industry: Mapped[str | None] = mapped_column(String(60))
    trafficker_relationship: Mapped[str | None] = mapped_column(String(20))
    age_when_trafficked: Mapped[int | None] = mapped_column(Integer)

    # The person's coded fields, in clear for statistics (one person per case); the
    # citizenships (several) are CaseCode rows of the list "citizenship".
    gender: Mapped[str | None] = mapped_column(String(30))
    age_at_identification: Mapped[int | None] = mapped_column(Integer)
    age_band: Mapped[str | None] = mapped_column(String(8))
    education: Mapped[str | None] = mapped_column(String(40))
    marital_status: Mapped[str | None] = mapped_column(String(30))
    number_of_children: Mapped[int | None] = mapped_column(Integer)

    # Optimistic locking: every UPDATE checks and bumps it.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012

    agency: Mapped[Agency] = relationship(lazy="joined", foreign_keys=[agency_id])
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    person: Mapped[Person | None] = relationship(
        back_populates="case", uselist=False, cascade="all, delete-orphan"
    )
    identity_documents: Mapped[list[IdentityDocument]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="IdentityDocument.created_at"
    )
    codes: Mapped[list[CaseCode]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )
    events: Mapped[list[TraffickingEvent]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="TraffickingEvent.created_at"
    )
    notes: Mapped[list[CaseNote]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseNote.created_at"
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Consent.created_at"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Attachment.created_at"
    )
    referrals: Mapped[list[Referral]] = relationship(
        back_populates="case", order_by="Referral.created_at"
    )

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_CASE_STATUSES

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def allows(self, event: CaseEvent | str) -> bool:
        """May the case take `event` now (CASE_TRANSITIONS)? An erased case takes none.
        Operations and templates both ask this: `case.allows('reopen')`."""
        return not self.is_erased and CASE_TRANSITIONS.allows(self.status, event)

    @property
    def closure_request_state(self) -> ClosureRequestState:
        """Whether a request to close the case awaits a decision (CLOSURE_REQUEST_TRANSITIONS)."""
        if self.closure_requested_at is not None and not self.is_closed:
            return ClosureRequestState.REQUESTED
        return ClosureRequestState.NONE

    @classmethod
    def closure_request_in(cls, states: Iterable[ClosureRequestState]) -> ColumnElement[bool]:
        """SQL twin of `closure_request_state`: the rows whose closure request is in one of
        `states` (the WHERE of a conditional update)."""
        requested = and_(
            cls.closure_requested_at.is_not(None),
            cls.status.not_in(sorted(CLOSED_CASE_STATUSES)),
        )
        wanted = set(states)
        clauses = [requested] if ClosureRequestState.REQUESTED in wanted else []
        if ClosureRequestState.NONE in wanted:
            clauses.append(not_(requested))
        return or_(false(), *clauses)

    def codes_of(self, vocabulary: str) -> list[str]:
        return sorted(c.code for c in self.codes if c.vocabulary == vocabulary)

    def has_current_consent(self, purposes: frozenset[str], agency_id: Any = None) -> bool:
        """A consent for one of `purposes` (naming `agency_id` when given) not withdrawn."""
        return any(
            consent.is_current
            and consent.purpose in purposes
            and (agency_id is None or consent.shared_with_agency_id == agency_id)
            for consent in self.consents
        )

    @property
    def processing_restricted(self) -> bool:
        """The person withdrew their consent to registration and data processing and has not
        given it again: the case is shared with no one, matches nothing and is open only to
        its agency's supervisors until it is erased (decision 0063; the policy decides)."""
        registration = [c for c in self.consents if c.purpose == PROCESSING_CONSENT_PURPOSE]
        return bool(registration) and not any(c.is_current for c in registration)

    def open_referrals_to(self, agency_id: Any) -> list[Referral]:
        """Accepted, open referrals of this case to `agency_id` whose sharing consent stands.
        A case closed as "Closed", erased, or restricted (decision 0063) is shared with no one
        (closing ends its referrals); one closed as referred continues with them
        (CONTINUING_CASE_STATUSES)."""
        if (
            self.status not in CONTINUING_CASE_STATUSES
            or self.is_erased
            or self.processing_restricted
        ):
            return []
        if not self.has_current_consent(AGENCY_CONSENT_PURPOSES, agency_id):
            return []
        return [r for r in self.referrals if r.to_agency_id == agency_id and r.grants_access]

    def open_referral_to(self, agency_id: Any) -> bool:
        """Used by the policy: does an open referral give `agency_id` access to this case?"""
        return bool(self.open_referrals_to(agency_id))

    def shared_groups_for(self, agency_id: Any) -> frozenset[str]:
        """The field groups the open referrals to `agency_id` share (data minimisation)."""
        groups: set[str] = set()
        for referral in self.open_referrals_to(agency_id):
            groups.update(referral.shared_groups or [])
        return frozenset(groups)

    def __repr__(self) -> str:
        return f"<Case {self.id}>"


class CaseChild(EncryptedRecord):
    """A record that belongs to a case and is encrypted under the case's data key."""

    @declared_attr
    def case_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(ForeignKey("cases.id"), index=True)

    def key_owner(self) -> OwnsDataKey:
        return self.case  # type: ignore[attr-defined,no-any-return]

    def encryption_agency_id(self) -> uuid.UUID:
        """The case's sealing agency, which a transfer never changes (decision 0091); a case
        not inserted yet has none stored, and is sealed for the agency registering it."""
        case = self.case  # type: ignore[attr-defined]
        sealed = case.sealed_for_agency_id
        return sealed if sealed is not None else case.agency_id  # type: ignore[no-any-return]


class Person(CaseChild, UUIDPrimaryKey, Timestamps, Base):
    """Who the case is about: identifying data and the free text of their context, all
    encrypted."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("case_id"),)

    salutation = encrypted()  # HTCDS prs_Salutation
    title = encrypted()  # HTCDS prs_Title
    full_name = encrypted(index="name", required=True)
    other_names = encrypted()
    date_of_birth = encrypted(index="date")  # ISO yyyy-mm-dd
    phone = encrypted(index="phone")
    email = encrypted()
    address = encrypted()
    languages = encrypted()
    family_contacts = encrypted()
    # The trafficking context in the person's own words (HTCDS vic_DetailsOfVulnerabilities,
    # per_RoleDetails); their coded facts are CaseCode rows.
    vulnerability_details = encrypted()
    perpetrator_details = encrypted()

    case: Mapped[Case] = relationship(back_populates="person")


class IdentityDocument(CaseChild, UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "identity_documents"

    doc_type: Mapped[str] = mapped_column(String(30))
    issuing_country: Mapped[str | None] = mapped_column(String(2))
    number = encrypted(index="identity")

    case: Mapped[Case] = relationship(back_populates="identity_documents")


class CaseCode(UUIDPrimaryKey, Base):
    """One value of a multi-valued coded field (citizenships, methods of control, types of
    exploitation...: `vocab.CASE_CODE_LISTS`)."""

    __tablename__ = "case_codes"
    __table_args__ = (UniqueConstraint("case_id", "vocabulary", "code"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    vocabulary: Mapped[str] = mapped_column(String(40), index=True)
    code: Mapped[str] = mapped_column(String(60))

    case: Mapped[Case] = relationship(back_populates="codes")


class TraffickingEvent(CaseChild, UUIDPrimaryKey, Timestamps, Base):
    """Recruitment, transit or exploitation: where (the country and province coded, the city
    and coordinates encrypted), when, and what (encrypted)."""

    __tablename__ = "trafficking_events"

    kind: Mapped[str] = mapped_column(String(20), index=True)
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    # Below the country (HTCDS hte_State, hte_City, hte_Latitude/hte_Longitude): the province
    # in clear like the country; the city and the coordinates, which can point at a place and
    # the people there, encrypted.
    province: Mapped[str | None] = mapped_column(String(100))
    city = encrypted()
    coordinates = encrypted()  # "latitude, longitude" in decimal degrees
    occurred_on: Mapped[date | None] = mapped_column(Date)
    description = encrypted()

    case: Mapped[Case] = relationship(back_populates="events")


class CaseNote(CaseChild, UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "case_notes"

    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # What the note is about: decides who else may read it (domain.NOTE_CATEGORY_GROUPS).
    category: Mapped[str] = mapped_column(String(30), default=UNCATEGORISED_NOTES.value)
    body = encrypted(required=True)

    case: Mapped[Case] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()


class Consent(UUIDPrimaryKey, Timestamps, Base):
    """One dated consent for one purpose; withdrawal takes effect at once."""

    __tablename__ = "consents"
    # One current consent per purpose (and agency): two people recording the same consent at
    # once make one row (casework.cases.consents.operations inserts ON CONFLICT DO NOTHING).
    # Two partial indexes, because NULL agencies are never equal in a unique index.
    __table_args__ = (
        Index(
            "uq_consents_current_for_agency",
            "case_id",
            "purpose",
            "shared_with_agency_id",
            unique=True,
            postgresql_where=text("withdrawn_at IS NULL AND shared_with_agency_id IS NOT NULL"),
            sqlite_where=text("withdrawn_at IS NULL AND shared_with_agency_id IS NOT NULL"),
        ),
        Index(
            "uq_consents_current",
            "case_id",
            "purpose",
            unique=True,
            postgresql_where=text("withdrawn_at IS NULL AND shared_with_agency_id IS NULL"),
            sqlite_where=text("withdrawn_at IS NULL AND shared_with_agency_id IS NULL"),
        ),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    shared_with_agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    given_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(30))
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    attachment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("attachments.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="consents")
    shared_with_agency: Mapped[Agency | None] = relationship()

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None


class Attachment(CaseChild, UUIDPrimaryKey, Timestamps, Base):
    """An encrypted file (consent form, document). The name is encrypted too.

    Its content is in the database (`AttachmentChunk`, decision 0073). `storage_name` names
    the file of an attachment stored on disk before that, until `flask attachments migrate`
    moves it in (then it is None)."""

    __tablename__ = "attachments"

    kind: Mapped[str] = mapped_column(String(30))
    filename = encrypted()
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    storage_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    wrapped_key: Mapped[bytes] = mapped_column()
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="attachments")


class AttachmentChunk(Base):
    """One piece of an attachment's ciphertext: piece 0 is the header, piece n the sealed
    chunk n - 1 (`casework.crypto.files`). Opaque bytes: the key, and the checks that catch a
    piece reordered, moved to another attachment or cut off, are in the encryption layer.
    Written and read only through `casework.cases.attachments.store` (decision 0073)."""

    __tablename__ = "attachment_chunks"

    attachment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("attachments.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class TimelineEntry(UUIDPrimaryKey, Base):
    """What happened to a case and who did it, for the case timeline. Codes only."""

    __tablename__ = "timeline_entries"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(String(200))  # codes and ids only
    target_id: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship()


class PossibleDuplicate(UUIDPrimaryKey, Base):
    """A case registered in another agency may concern `case`, a case of this agency: a task
    for this agency's supervisors, who decide whether to get in touch or refer. The agency
    that registered learns nothing of it (decision 0055). Ids and dates only."""

    __tablename__ = "possible_duplicates"
    __table_args__ = (UniqueConstraint("case_id", "registered_case_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    registered_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    registering_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    registered_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(String(30))

    case: Mapped[Case] = relationship(foreign_keys=[case_id])
    registering_agency: Mapped[Agency] = relationship()
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])


class ReferenceCounter(Base):
    """The last case number given per prefix and year (row-locked while numbering)."""

    __tablename__ = "reference_counters"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)
