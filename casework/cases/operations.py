"""Case operations: register, update (optimistic locking), add a note, record a read.

Each changes the ORM, writes its audit event (ids and codes only) and timeline entry, and
flushes; the request commits. They take plain data (`form.data`), read only the keys they
know, and check it again: a form that skipped a rule cannot store a wrong code or date.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from casework import audit
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.cases.ages import AgeMismatch, Described, check_consent_method, derive_ages
from casework.cases.duplicates import record_matches
from casework.cases.guard import Change, ensure_may_change
from casework.cases.models import Case, CaseNote, Consent
from casework.cases.record import CaseInput, apply_to_case, coordinates_text
from casework.cases.references import next_reference
from casework.cases.timeline import add_entry
from casework.core.db import utcnow
from casework.core.errors import OperationError
from casework.core.extensions import db
from casework.domain import CaseStatus
from casework.vocab import (
    CASE_CODE_LISTS,
    CONSENT_METHODS,
    COUNTRY_CODES,
    DOCUMENT_TYPES,
    EDUCATION_LEVELS,
    EVENT_KINDS,
    GENDERS,
    IDENTIFICATION_CHANNELS,
    ISIC_SECTIONS,
    MARITAL_STATUSES,
    NOTE_CATEGORIES,
    RISK_LEVELS,
    STATUS_DECIDING_ORGANISATIONS,
    TRAFFICKER_RELATIONSHIPS,
    TRAFFICKING_STATUSES,
    Vocabulary,
)

NOTE_MAX = 5000
MOST_CHILDREN = 30

# Coded field -> the vocabulary its value must come from.
FIELD_VOCABULARIES: dict[str, Vocabulary] = {
    "gender": GENDERS,
    "education": EDUCATION_LEVELS,
    "marital_status": MARITAL_STATUSES,
    "trafficking_status": TRAFFICKING_STATUSES,
    "status_decided_by": STATUS_DECIDING_ORGANISATIONS,
    "forced_labour_industry": ISIC_SECTIONS,
    "trafficker_relationship": TRAFFICKER_RELATIONSHIPS,
    "identification_channel": IDENTIFICATION_CHANNELS,
    "risk_level": RISK_LEVELS,
}


class CaseInputError(OperationError):
    """Input a case cannot take (a code not on its list, a date in the future, no consent)."""


class EditConflict(Exception):
    """The case changed since the form was loaded: nothing was saved."""


def _today() -> date:
    return utcnow().date()


def check_case_input(data: CaseInput) -> CaseInput:
    """Vocabularies, dates and ages; returns the input with the derived age and band."""
    if not data.full_name:
        raise CaseInputError(_l("Enter the person's name."), "full_name")
    if data.identified_on is None or data.identified_on > _today():
        raise CaseInputError(
            _l("Enter an identification date, not in the future."), "identified_on"
        )
    for name, vocabulary in FIELD_VOCABULARIES.items():
        value = getattr(data, name)
        if value is not None and value not in vocabulary:
            raise CaseInputError(_l("Choose a value from the list."), name)
    if data.identification_channel is None or data.risk_level is None:
        field = "identification_channel" if data.identification_channel is None else "risk_level"
        raise CaseInputError(_l("Choose a value from the list."), field)
    for name, codes in data.codes.items():
        if name not in CASE_CODE_LISTS or any(c not in CASE_CODE_LISTS[name] for c in codes):
            raise CaseInputError(_l("Choose values from the list."), name)
    if data.number_of_children is not None and not (0 <= data.number_of_children <= MOST_CHILDREN):
        raise CaseInputError(
            _l("Enter a number of children between 0 and %(max)d.", max=MOST_CHILDREN),
            "number_of_children",
        )
    if data.date_of_birth is not None and data.date_of_birth > _today():
        raise CaseInputError(_l("The date of birth cannot be in the future."), "date_of_birth")
    for document in data.documents:
        if document.doc_type not in DOCUMENT_TYPES or (
            document.issuing_country is not None and document.issuing_country not in COUNTRY_CODES
        ):
            raise CaseInputError(
                _l("Choose document types and countries from the lists."), "documents"
            )
    for event in data.events:
        if event.kind not in EVENT_KINDS or (
            event.country is not None and event.country not in COUNTRY_CODES
        ):
            raise CaseInputError(_l("Choose event kinds and countries from the lists."), "events")
        if event.coordinates is not None and coordinates_text(event.coordinates) is None:
            raise CaseInputError(_l("Write coordinates as latitude, longitude."), "events")
        if event.occurred_on is not None and event.occurred_on > _today():
            raise CaseInputError(_l("An event date cannot be in the future."), "events")
    try:
        ages = derive_ages(
            date_of_birth=data.date_of_birth,
            age=data.age_at_identification,
            band=data.age_band,
            identified_on=data.identified_on,
        )
    except AgeMismatch as mismatch:
        raise CaseInputError(mismatch.message, mismatch.field) from None
    data.age_at_identification, data.age_band = ages.age_at_identification, ages.age_band
    if (
        data.age_when_trafficked is not None
        and ages.age_at_identification is not None
        and data.age_when_trafficked > ages.age_at_identification
    ):
        raise CaseInputError(
            _l("The age when trafficked cannot be more than the age at identification."),
            "age_when_trafficked",
        )
    return data


def check_registration(data: Mapping[str, Any]) -> CaseInput:
    """Every rule a registration must pass, writing nothing: the consent (method, date, and a
    minor's through a guardian), then the case's content. Returns the content to save."""
    method, given_on = data.get("consent_method"), data.get("consent_given_on")
    if not data.get("consent_confirmed") or method not in CONSENT_METHODS:
        raise CaseInputError(_l("Record the person's consent first."), "consent_confirmed")
    if not isinstance(given_on, date) or given_on > _today():
        raise CaseInputError(_l("Enter the date consent was given."), "consent_given_on")
    content = check_case_input(CaseInput.from_data(data))
    assert content.identified_on is not None  # noqa: S101 - checked above; narrows the type
    described = Described.of(
        date_of_birth=content.date_of_birth,
        identified_on=content.identified_on,
        age_at_identification=content.age_at_identification,
        age_band=content.age_band,
    )
    try:  # the same rule as the consent form: a minor consents through a guardian
        check_consent_method(described, given_on, str(method), "consent_method")
    except AgeMismatch as refused:
        raise CaseInputError(refused.message, refused.field) from None
    return content


def register_case(actor: User, data: Mapping[str, Any]) -> Case:
    """Register a case with its registration consent; it is assigned to whoever registers it.

    `data` needs the consent (`consent_method`, `consent_given_on`, `consent_confirmed`):
    a case cannot be registered without it.
    """
    return _register(actor, actor.agency, data, assign=True)


def register_imported_case(actor: User | None, agency: Agency, data: Mapping[str, Any]) -> Case:
    """Register a case read from an agency's file (`casework/exchange`): the same checks,
    encryption, timeline, audit and duplicate matching as `register_case`, for `agency`,
    assigned to no one (a supervisor assigns it). `actor` is None from the command line."""
    return _register(actor, agency, data, assign=False)


def _register(actor: User | None, agency: Agency, data: Mapping[str, Any], *, assign: bool) -> Case:
    content = check_registration(data)
    assert content.identified_on is not None  # noqa: S101 - checked; narrows the type
    actor_id = actor.id if actor is not None else None
    case = Case(
        reference=next_reference(agency.country, _today()),
        agency_id=agency.id,
        assigned_to_id=actor_id if assign else None,
        created_by_id=actor_id,
        status=CaseStatus.ACTIVE,
        identified_on=content.identified_on,
        identification_channel=content.identification_channel,
        risk_level=content.risk_level,
    )
    db.session.add(case)
    db.session.flush()  # the person's fields are bound to the case's id and agency
    apply_to_case(case, content)
    consent = Consent(
        purpose="registration",
        method=data.get("consent_method"),
        given_on=data.get("consent_given_on"),
        recorded_by_id=actor_id,
    )
    case.consents.append(consent)
    db.session.flush()
    add_entry(case, "case.registered", actor=actor)
    add_entry(case, "consent.recorded", actor=actor, detail="registration", target=consent)
    audit.record("case.registered", actor=actor, target=case)
    audit.record("consent.recorded", actor=actor, target=consent, detail="registration")
    db.session.flush()
    # Other agencies' cases that may be this person: tasks for their supervisors; the
    # registering user is not told (decision 0055).
    record_matches(actor, case, content)
    return case


def update_case(
    actor: User, case: Case, data: Mapping[str, Any], *, base_version: int | None
) -> list[str]:
    """Save the edit form, unless the case changed since the form was loaded (`base_version`).

    Returns the names of the fields that changed (empty: nothing to save, nothing written).
    Raises EditConflict when someone saved in between; the session is then rolled back.
    """
    ensure_may_change(case, Change.EDIT_DETAILS, CaseInputError)
    if base_version is None or base_version != case.version:
        raise EditConflict
    content = check_case_input(CaseInput.from_data(data))
    before = CaseInput.from_case(case).snapshot()
    after = content.snapshot()
    changed = [name for name, value in after.items() if before.get(name) != value]
    if not changed:
        return []
    apply_to_case(case, content)
    case.updated_at = utcnow()  # the case row itself is updated, so its version is checked
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()  # the failed flush leaves nothing usable in this transaction
        raise EditConflict from None
    detail = ",".join(changed)[:200]
    add_entry(case, "case.updated", actor=actor, detail=detail)
    audit.record("case.updated", actor=actor, target=case, detail=detail)
    db.session.flush()
    return changed


def add_case_note(actor: User, case: Case, body: str, category: str) -> CaseNote:
    """Add an encrypted note, signed by its author, in a category (which decides who else may
    read it: a referral shares only the categories of the field groups it shares)."""
    ensure_may_change(case, Change.ADD_NOTE, CaseInputError)
    if category not in NOTE_CATEGORIES:
        raise CaseInputError(_l("Choose what the note is about."), "category")
    text = (body or "").strip()
    if not text:
        raise CaseInputError(_l("Write the note first."), "body")
    if len(text) > NOTE_MAX:
        raise CaseInputError(_l("A note is at most %(max)d characters.", max=NOTE_MAX), "body")
    note = CaseNote(author_id=actor.id, category=category)
    case.notes.append(note)
    note.body = text
    db.session.flush()
    add_entry(case, "note.added", actor=actor, detail=category, target=note)
    audit.record("case.note_added", actor=actor, target=note, detail=str(case.id))
    db.session.flush()
    return note


def record_case_read(actor: User, case: Case, view: str = "page", *, durable: bool = False) -> None:
    """Every opening of a case is an audit event (`view`: page, print or edit). `durable`
    keeps it when the request's own changes are rolled back (a form shown again)."""
    audit.record("case.viewed", actor=actor, target=case, detail=view, durable=durable)
