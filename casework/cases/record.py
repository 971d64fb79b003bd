"""The editable content of a case as plain data, and how it is read from and written to the ORM.

`CaseInput` is what the register and edit forms produce (built from `form.data`, taking only
the keys it knows, so a crafted field is never read) and what the edit form is filled from.
`snapshot()` gives each field one canonical text, used to tell which fields changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any

from casework.cases.models import Case, CaseCode, IdentityDocument, Person, TraffickingEvent
from casework.core.db import utcnow
from casework.vocab import CASE_CODE_LISTS

# Encrypted person fields (all text) and the coded, clear fields of the case.
PERSON_FIELDS = (
    "salutation",
    "title",
    "full_name",
    "other_names",
    "phone",
    "email",
    "address",
    "languages",
    "family_contacts",
    "vulnerability_details",
    "perpetrator_details",
)
CODED_FIELDS = (
    "gender",
    "education",
    "marital_status",
    "trafficking_status",
    "status_decided_by",
    "forced_labour_industry",
    "trafficker_relationship",
    "identification_channel",
    "risk_level",
)
NUMBER_FIELDS = ("age_at_identification", "age_when_trafficked", "number_of_children")
CODE_LISTS = tuple(CASE_CODE_LISTS)  # citizenship, recruitment_method, control_method, ...


@dataclass(frozen=True)
class DocumentInput:
    doc_type: str
    issuing_country: str | None
    number: str


@dataclass(frozen=True)
class EventInput:
    kind: str
    country: str | None
    occurred_on: date | None
    description: str | None
    province: str | None = None
    city: str | None = None
    coordinates: str | None = None


COORDINATES = re.compile(r"^\s*(-?\d{1,2}(?:\.\d{1,7})?)\s*,\s*(-?\d{1,3}(?:\.\d{1,7})?)\s*$")


def coordinates_text(value: str | None) -> str | None:
    """Decimal "latitude, longitude" in its one spelling ("13.7563, 100.5018"); None when
    `value` is not a pair of coordinates on the globe."""
    match = COORDINATES.match(value or "")
    if match is None:
        return None
    latitude, longitude = float(match[1]), float(match[2])
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return f"{match[1]}, {match[2]}"


def _text(value: Any) -> str | None:
    """Trimmed text, None when empty."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


@dataclass
class CaseInput:
    salutation: str | None = None
    title: str | None = None
    full_name: str | None = None
    other_names: str | None = None
    date_of_birth: date | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    languages: str | None = None
    family_contacts: str | None = None
    vulnerability_details: str | None = None
    perpetrator_details: str | None = None
    gender: str | None = None
    age_at_identification: int | None = None
    age_band: str | None = None
    education: str | None = None
    marital_status: str | None = None
    number_of_children: int | None = None
    trafficking_status: str | None = None
    status_decided_by: str | None = None
    forced_labour_industry: str | None = None
    trafficker_relationship: str | None = None
    age_when_trafficked: int | None = None
    identified_on: date | None = None
    identification_channel: str | None = None
    risk_level: str | None = None
    codes: dict[str, list[str]] = field(default_factory=dict)
    documents: list[DocumentInput] = field(default_factory=list)
    events: list[EventInput] = field(default_factory=list)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> CaseInput:
        """From a form's `data`: known keys only, blank rows dropped, text trimmed."""
        made = cls()
        for name in (*PERSON_FIELDS, *CODED_FIELDS, "age_band"):
            setattr(made, name, _text(data.get(name)))
        for name in NUMBER_FIELDS:
            setattr(made, name, _int(data.get(name)))
        made.date_of_birth = _date(data.get("date_of_birth"))
        made.identified_on = _date(data.get("identified_on"))
        for name in CODE_LISTS:
            chosen = data.get(name) or []
            made.codes[name] = sorted({str(code) for code in chosen if code})
        for row in data.get("documents") or []:
            number, doc_type = _text(row.get("number")), _text(row.get("doc_type"))
            if number and doc_type:
                country = _text(row.get("issuing_country"))
                made.documents.append(DocumentInput(doc_type, country, number))
        for row in data.get("events") or []:
            kind = _text(row.get("kind"))
            country, on = _text(row.get("country")), _date(row.get("occurred_on"))
            description = _text(row.get("description"))
            place = [_text(row.get(name)) for name in ("province", "city", "coordinates")]
            if kind and (country or on or description or any(place)):
                made.events.append(EventInput(kind, country, on, description, *place))
        return made

    @classmethod
    def from_case(cls, case: Case) -> CaseInput:
        """What the case holds now (decrypting the person's fields)."""
        person = case.person
        made = cls()
        for name in PERSON_FIELDS:
            setattr(made, name, getattr(person, name) if person is not None else None)
        made.date_of_birth = _date(person.date_of_birth) if person is not None else None
        for name in (*CODED_FIELDS, *NUMBER_FIELDS, "age_band", "identified_on"):
            setattr(made, name, getattr(case, name))
        made.codes = {name: case.codes_of(name) for name in CODE_LISTS}
        made.documents = [
            DocumentInput(d.doc_type, d.issuing_country, d.number or "")
            for d in case.identity_documents
        ]
        made.events = [
            EventInput(
                e.kind, e.country, e.occurred_on, e.description, e.province, e.city, e.coordinates
            )
            for e in case.events
        ]
        return made

    def form_data(self) -> dict[str, Any]:
        """The data to fill a form with."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.pop("codes")
        data.update(self.codes)
        data["documents"] = [vars(d).copy() for d in self.documents]
        data["events"] = [vars(e).copy() for e in self.events]
        return data

    def snapshot(self) -> dict[str, str]:
        """One canonical text per form field, to compare two versions of a case."""
        values: dict[str, str] = {}
        for f in fields(self):
            if f.name in ("codes", "documents", "events"):
                continue
            value = getattr(self, f.name)
            values[f.name] = value.isoformat() if isinstance(value, date) else _canon(value)
        for name in CODE_LISTS:
            values[name] = ",".join(sorted(self.codes.get(name, [])))
        values["documents"] = json.dumps(
            [[d.doc_type, d.issuing_country, d.number] for d in self.documents]
        )
        values["events"] = json.dumps(
            [
                [
                    e.kind,
                    e.country,
                    e.occurred_on.isoformat() if e.occurred_on else None,
                    e.description,
                    e.province,
                    e.city,
                    e.coordinates,
                ]
                for e in self.events
            ]
        )
        return values


def _canon(value: Any) -> str:
    return "" if value is None else str(value)


def apply_to_case(case: Case, data: CaseInput) -> None:
    """Write `data` into the case and its children (the person, documents, events, codes).

    Rows are updated in place where they can be, so unchanged records keep their ids, and
    codes are added or removed one by one (the unique constraint would refuse a delete and
    re-insert of the same code in one flush).
    """
    for name in (*CODED_FIELDS, *NUMBER_FIELDS, "age_band"):
        setattr(case, name, getattr(data, name))
    if data.identified_on is not None:
        case.identified_on = data.identified_on
    person = case.person
    if person is None:
        person = Person()
        case.person = person
    for name in PERSON_FIELDS:
        if getattr(person, name) != getattr(data, name):
            setattr(person, name, getattr(data, name))
    birth = data.date_of_birth.isoformat() if data.date_of_birth else None
    if person.date_of_birth != birth:
        person.date_of_birth = birth
    _apply_codes(case, data.codes)
    _apply_documents(case, data.documents)
    _apply_events(case, data.events)


def _in_order(index: int) -> Any:
    """A creation time that keeps rows added together in the order they were given (the
    relationships are ordered by it)."""
    return utcnow() + timedelta(milliseconds=index)


def _apply_codes(case: Case, wanted_lists: dict[str, list[str]]) -> None:
    for vocabulary in CODE_LISTS:
        wanted = set(wanted_lists.get(vocabulary, []))
        for code in [c for c in case.codes if c.vocabulary == vocabulary]:
            if code.code not in wanted:
                case.codes.remove(code)
        present = set(case.codes_of(vocabulary))
        for value in sorted(wanted - present):
            case.codes.append(CaseCode(vocabulary=vocabulary, code=value))


def _apply_documents(case: Case, wanted: list[DocumentInput]) -> None:
    rows = list(case.identity_documents)
    for row in rows[len(wanted) :]:
        case.identity_documents.remove(row)
    for index, item in enumerate(wanted):
        if index < len(rows):
            document = rows[index]
        else:
            document = IdentityDocument(doc_type=item.doc_type, created_at=_in_order(index))
            case.identity_documents.append(document)
        document.doc_type, document.issuing_country = item.doc_type, item.issuing_country
        if document.number != item.number:
            document.number = item.number


def _apply_events(case: Case, wanted: list[EventInput]) -> None:
    rows = list(case.events)
    for row in rows[len(wanted) :]:
        case.events.remove(row)
    for index, item in enumerate(wanted):
        if index < len(rows):
            event = rows[index]
        else:
            event = TraffickingEvent(kind=item.kind, created_at=_in_order(index))
            case.events.append(event)
        event.kind, event.country, event.occurred_on = item.kind, item.country, item.occurred_on
        event.province = item.province
        for name in ("description", "city", "coordinates"):
            if getattr(event, name) != getattr(item, name):
                setattr(event, name, getattr(item, name))
