"""Which Casework field each column of the HTCDS layout fills, both ways: the one home of the
mapping. Codes come from `casework/vocab/` (never spelled here); the toolkit's drop-down words
for them from `layout.py`.

Reading a row gives the plain data `register_case` takes (as a form's `data` would) and the
problems found, each naming its column; writing a case gives one text per column. Casework
keeps a few facts that HTCDS 2.0 has no field for and that registration needs (the date and
channel of identification, the consent's method and date, the risk level): they travel in
columns of Casework's own, prefixed `cw_`, after the standard's (decision 0100).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from casework.cases.models import Case
from casework.cases.record import CaseInput
from casework.domain import OPEN_CASE_STATUSES, CaseStatus
from casework.exchange.layout import (
    FIELD_ALIASES,
    MULTI_SEPARATOR,
    STANDARD_COLUMNS,
    TOOLKIT_COLUMNS,
    TOOLKIT_COUNTRIES,
    TOOLKIT_LABELS,
)
from casework.vocab import (
    AGE_BANDS,
    CITIZENSHIPS,
    CONSENT_METHODS,
    CONTROL_METHODS,
    COUNTRY_CODES,
    DOCUMENT_TYPES,
    EDUCATION_LEVELS,
    EXPLOITATION_EVENT,
    EXPLOITATION_TYPES,
    GENDERS,
    IDENTIFICATION_CHANNELS,
    ISIC_SECTIONS,
    RECRUITMENT_EVENT,
    RECRUITMENT_METHODS,
    RISK_LEVELS,
    SEXUAL_EXPLOITATION_TYPES,
    STATUS_DECIDING_ORGANISATIONS,
    TRAFFICKER_RELATIONSHIPS,
    TRAFFICKING_STATUSES,
    Vocabulary,
)

# Casework's own columns, after the standard's: (field name, label).
CASEWORK_COLUMNS: tuple[tuple[str, str], ...] = (
    ("cw_IdentifiedOn", "Identified on (Casework)"),
    ("cw_IdentificationChannel", "Identification channel (Casework)"),
    ("cw_RiskLevel", "Risk level (Casework)"),
    ("cw_ConsentMethod", "Consent method (Casework)"),
    ("cw_ConsentGivenOn", "Consent given on (Casework)"),
    ("cw_OtherNames", "Other names (Casework)"),
    ("cw_Languages", "Languages (Casework)"),
    ("cw_FamilyContacts", "Family contacts (Casework)"),
    ("cw_AgeAtIdentification", "Age at identification (Casework)"),
    ("cw_AgeBand", "Age band (Casework)"),
    ("cw_IdentityDocumentType", "Identity document type (Casework)"),
    ("cw_IdentityDocumentCountry", "Identity document country (Casework)"),
)

# Every column Casework writes, in order (column A, the toolkit's row numbers, comes first).
COLUMNS: tuple[tuple[str, str], ...] = TOOLKIT_COLUMNS + STANDARD_COLUMNS + CASEWORK_COLUMNS
LABELS = dict(COLUMNS)

# Columns of the layout whose values Casework does not keep (yet): read, never stored; the
# dry run says so once per column that holds anything.
NOT_KEPT = frozenset(
    {
        "cas_CaseOwner",
        "cas_ReferringOrganisation",
        "cas_IncomingReferralDate",
        "cas_ReferringPrimaryCaseWorker",
        "cas_ReasonForIncomingReferral",
        "cas_IncomingReferralDetails",
        "cas_ReferredOrganisation",
        "cas_ReferredPrimaryCaseWorker",
        "cas_ReasonForOutgoingReferral",
        "cas_OutgoingReferralDate",
        "cas_OutgoingReferralDetails",
        "cas_ReasonForCaseClosure",
    }
)
# Columns a file must have: registration needs them (decision 0100).
REQUIRED = (
    "prs_FirstName",
    "con_Consent",
    "cw_IdentifiedOn",
    "cw_IdentificationChannel",
    "cw_ConsentMethod",
    "cw_ConsentGivenOn",
)

# Single-valued coded columns -> (CaseInput field, vocabulary).
SINGLE_CODES: dict[str, tuple[str, Vocabulary]] = {
    "prs_Gender": ("gender", GENDERS),
    "prs_HighestLevelOfEducation": ("education", EDUCATION_LEVELS),
    "vic_TraffickingStatus": ("trafficking_status", TRAFFICKING_STATUSES),
    "vic_TraffickinStatusDecisionMakingOrg": ("status_decided_by", STATUS_DECIDING_ORGANISATIONS),
    "vic_ForcedLabourIndustry": ("forced_labour_industry", ISIC_SECTIONS),
    "vic_RelationshipToTrafficker": ("trafficker_relationship", TRAFFICKER_RELATIONSHIPS),
    "cw_IdentificationChannel": ("identification_channel", IDENTIFICATION_CHANNELS),
    "cw_RiskLevel": ("risk_level", RISK_LEVELS),
    "cw_ConsentMethod": ("consent_method", CONSENT_METHODS),
    "cw_AgeBand": ("age_band", AGE_BANDS),
}
# Multi-valued coded columns -> the case's code list (CASE_CODE_LISTS).
MULTI_CODES: dict[str, Vocabulary] = {
    "vic_MethodOfRecruitment": RECRUITMENT_METHODS,
    "vic_MethodsOfControl": CONTROL_METHODS,
    "vic_TypeOfExploitation": EXPLOITATION_TYPES,
    "vic_TypeOfSexExploitation": SEXUAL_EXPLOITATION_TYPES,
}
PERSON_TEXT = {
    "prs_Salutation": "salutation",
    "prs_Title": "title",
    "prs_Email": "email",
    "cw_OtherNames": "other_names",
    "cw_Languages": "languages",
    "cw_FamilyContacts": "family_contacts",
}
DATES = {
    "prs_Birthdate": "date_of_birth",
    "cw_IdentifiedOn": "identified_on",
    "cw_ConsentGivenOn": "consent_given_on",
}
NUMBERS = {
    "vic_AgeWhenTrafficked": "age_when_trafficked",
    "cw_AgeAtIdentification": "age_at_identification",
}
ADDRESS = (
    "prs_MailingStreet",
    "prs_MailingCity",
    "prs_MailingState",
    "prs_MailingPostalCode",
    "prs_MailingCountry",
)
LOCATIONS = {
    "vic_LocationOfRecruitment": RECRUITMENT_EVENT,
    "vic_LocationOfExploitation": EXPLOITATION_EVENT,
}
# A refusal of registration names a field: the column it came from.
COLUMN_OF_FIELD: dict[str, str] = {
    "full_name": "prs_FirstName",
    "phone": "prs_MobilePhone",
    "address": "prs_MailingStreet",
    "citizenship": "prs_Citizenship",
    "consent_confirmed": "con_Consent",
    "documents": "prs_IdentityNumber",
    "events": "vic_LocationOfRecruitment",
    **{name: column for column, name in PERSON_TEXT.items()},
    **{name: column for column, name in DATES.items()},
    **{name: column for column, name in NUMBERS.items()},
    **{name: column for column, (name, _vocabulary) in SINGLE_CODES.items()},
    **{vocabulary.name: column for column, vocabulary in MULTI_CODES.items()},
}
DEFAULT_RISK = "medium"  # the case model's own default, when a file has no risk column
DEFAULT_DOCUMENT_TYPE = "national_id"  # prs_IdentityNumber: "relevant national identity number"
_SPACES = re.compile(r"\s+")
_SPLIT = re.compile(r"[;\n]")


def _key(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def canonical_field(name: str) -> str:
    """The layout's name of a column header (field names are read case-insensitively)."""
    wanted = _key(name)
    for known in (*LABELS, *FIELD_ALIASES):
        if _key(known) == wanted:
            return FIELD_ALIASES.get(known, known)
    return ""


def field_of_label(label: str) -> str:
    """The field whose label this is ('' when none): for a header cell with no field name."""
    wanted = _key(label)
    for name, known in COLUMNS:
        if _key(known) == wanted:
            return name
    return ""


def _choices(column: str, codes: Iterable[str]) -> dict[str, str]:
    """Every accepted spelling of the column's codes: the code and the toolkit's word."""
    valid = set(codes)
    found = {_key(code): code for code in valid}
    for word, code in TOOLKIT_LABELS.get(column, {}).items():
        if code in valid:
            found.setdefault(_key(word), code)
    return found


def _countries() -> dict[str, str]:
    found = {_key(code): code for code in COUNTRY_CODES}
    for code, name in TOOLKIT_COUNTRIES:
        if code in COUNTRY_CODES:
            found.setdefault(_key(name), code)
    return found


@dataclass
class RowReading:
    """What one row gives: the registration data, and the problems by column."""

    data: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, Any]] = field(default_factory=list)  # (column, message)
    status: str = CaseStatus.ACTIVE.value

    def problem(self, column: str, message: Any) -> None:
        self.problems.append((column, message))


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if len(value) in (10, 19) else None
    except ValueError:
        return None


def read_row(cells: Mapping[str, str]) -> RowReading:
    """The registration data of one row (`cells`: column -> trimmed text, '' when empty)."""
    reading = RowReading()
    data = reading.data

    def get(column: str) -> str:
        return cells.get(column, "")

    names = [get("prs_FirstName"), get("prs_SecondName")]
    data["full_name"] = " ".join(part for part in names if part) or None
    if data["full_name"] is None:
        reading.problem("prs_FirstName", _l("Enter the person's name."))
    for column, name in PERSON_TEXT.items():
        data[name] = get(column) or None
    mobile, home = get("prs_MobilePhone"), get("prs_HomePhone")
    if mobile and home and mobile != home:
        reading.problem("prs_HomePhone", _l("Casework keeps one phone number: leave one."))
    data["phone"] = mobile or home or None
    countries = _countries()
    parts = []
    for column in ADDRESS:
        value = get(column)
        if column == "prs_MailingCountry" and value:
            value = countries.get(_key(value), value)
        if value:
            parts.append(value)
    data["address"] = ", ".join(parts) or None
    for column, name in DATES.items():
        value = get(column)
        data[name] = _date(value) if value else None
        if value and data[name] is None:
            reading.problem(column, _l("Write the date as YYYY-MM-DD."))
    for column, name in NUMBERS.items():
        value = get(column)
        data[name] = int(value) if value.isdigit() and len(value) <= 3 else None
        if value and data[name] is None:
            reading.problem(column, _l("Write a whole number of years."))
    for column, (name, vocabulary) in SINGLE_CODES.items():
        value = get(column)
        data[name] = _choices(column, vocabulary.codes).get(_key(value)) if value else None
        if value and data[name] is None:
            reading.problem(column, _l("This is not a value of the standard's list."))
    if data["risk_level"] is None and not get("cw_RiskLevel"):
        data["risk_level"] = DEFAULT_RISK
    for column, vocabulary in MULTI_CODES.items():
        choices = _choices(column, vocabulary.codes)
        chosen = []
        for value in (v.strip() for v in _SPLIT.split(get(column))):
            if not value:
                continue
            code = choices.get(_key(value))
            if code is None:
                reading.problem(column, _l("This is not a value of the standard's list."))
            else:
                chosen.append(code)
        data[vocabulary.name] = chosen
    # Several citizenships (HTCDS: a multi-select), each a country's code or name.
    data[CITIZENSHIPS.name] = []
    for value in (v.strip() for v in _SPLIT.split(get("prs_Citizenship"))):
        if value and countries.get(_key(value)) is None:
            reading.problem("prs_Citizenship", _l("Write each country as its ISO 3166 code."))
        elif value:
            data[CITIZENSHIPS.name].append(countries[_key(value)])
    data["documents"] = _document(get, countries, reading)
    data["events"] = [
        _location(kind, get(column), countries) for column, kind in LOCATIONS.items() if get(column)
    ]
    consent = get("con_Consent")
    given = _choices("con_Consent", ("TRUE", "FALSE")).get(_key(consent)) if consent else None
    data["consent_confirmed"] = given == "TRUE"
    if given != "TRUE":
        reading.problem("con_Consent", _l("A case is registered only with the person's consent."))
    status = get("cas_Status")
    code = (
        _choices("cas_Status", [s.value for s in CaseStatus]).get(_key(status)) if status else None
    )
    if status and code is None:
        reading.problem("cas_Status", _l("This is not a value of the standard's list."))
    elif code is not None and code not in OPEN_CASE_STATUSES:
        reading.problem("cas_Status", _l("Only open cases are imported: this one is closed."))
    else:
        reading.status = code or CaseStatus.ACTIVE.value
    return reading


def _document(get: Any, countries: dict[str, str], reading: RowReading) -> list[dict[str, Any]]:
    number = get("prs_IdentityNumber")
    if not number:
        return []
    kind = get("cw_IdentityDocumentType")
    doc_type = _choices("", DOCUMENT_TYPES.codes).get(_key(kind)) if kind else DEFAULT_DOCUMENT_TYPE
    if doc_type is None:
        reading.problem("cw_IdentityDocumentType", _l("This is not a value of the list."))
    issuer = get("cw_IdentityDocumentCountry")
    country = countries.get(_key(issuer)) if issuer else None
    if issuer and country is None:
        reading.problem(
            "cw_IdentityDocumentCountry", _l("Write one country, as its ISO 3166 code.")
        )
    return [{"doc_type": doc_type, "issuing_country": country, "number": number}]


def _location(kind: str, value: str, countries: dict[str, str]) -> dict[str, Any]:
    """A place of recruitment or exploitation: a country (code or name), or words."""
    country = countries.get(_key(value))
    return {
        "kind": kind,
        "country": country,
        "occurred_on": None,
        "description": None if country else value,
    }


# ---- writing -----------------------------------------------------------------------------


def _join(codes: Iterable[str]) -> str:
    return MULTI_SEPARATOR.join(codes)


def case_row(case: Case) -> dict[str, str]:
    """One text per column for `case` (decrypting its person's fields)."""
    content = CaseInput.from_case(case)
    registration = [c for c in case.consents if c.purpose == "registration" and c.is_current]
    consent = registration[0] if registration else None
    row: dict[str, str] = {name: "" for name, _label in COLUMNS}
    row["cas_CaseOwner"] = case.agency.name if case.agency is not None else ""
    row["prs_FirstName"] = content.full_name or ""
    row["prs_MobilePhone"] = content.phone or ""
    row["prs_MailingStreet"] = content.address or ""
    for column, name in PERSON_TEXT.items():
        row[column] = getattr(content, name) or ""
    row["prs_Birthdate"] = content.date_of_birth.isoformat() if content.date_of_birth else ""
    row["cw_IdentifiedOn"] = content.identified_on.isoformat() if content.identified_on else ""
    row["prs_Citizenship"] = _join(content.codes.get(CITIZENSHIPS.name, []))
    for column, (name, _vocabulary) in SINGLE_CODES.items():
        if name not in ("consent_method",):
            row[column] = getattr(content, name) or ""
    for column, vocabulary in MULTI_CODES.items():
        row[column] = _join(content.codes.get(vocabulary.name, []))
    for column, name in NUMBERS.items():
        value = getattr(content, name)
        row[column] = "" if value is None else str(value)
    row["con_Consent"] = "TRUE" if consent is not None else "FALSE"
    row["cw_ConsentMethod"] = consent.method if consent is not None else ""
    row["cw_ConsentGivenOn"] = consent.given_on.isoformat() if consent is not None else ""
    row["cas_Status"] = case.status
    if content.documents:
        document = content.documents[0]
        row["prs_IdentityNumber"] = document.number
        row["cw_IdentityDocumentType"] = document.doc_type
        row["cw_IdentityDocumentCountry"] = document.issuing_country or ""
    for column, kind in LOCATIONS.items():
        event = next((e for e in content.events if e.kind == kind), None)
        if event is not None:
            row[column] = event.description or event.country or ""
    return row
