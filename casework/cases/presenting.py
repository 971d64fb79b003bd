"""How case values are shown: labels for codes, timeline entries and changed fields."""

from __future__ import annotations

from casework.cases.record import CaseInput
from casework.vocab import (
    AGE_BANDS,
    CASE_CODE_LISTS,
    CASE_STATUSES,
    CLOSURE_REASONS,
    CONSENT_METHODS,
    CONSENT_PURPOSES,
    DOCUMENT_TYPES,
    EDUCATION_LEVELS,
    EVENT_KINDS,
    GENDERS,
    IDENTIFICATION_CHANNELS,
    ISIC_SECTIONS,
    MARITAL_STATUSES,
    RISK_LEVELS,
    STATUS_DECIDING_ORGANISATIONS,
    TRAFFICKER_RELATIONSHIPS,
    TRAFFICKING_STATUSES,
    Vocabulary,
    country_name,
    event_label,
)
from casework.web.dates import day

VOCABULARY_OF: dict[str, Vocabulary] = {
    "gender": GENDERS,
    "education": EDUCATION_LEVELS,
    "marital_status": MARITAL_STATUSES,
    "age_band": AGE_BANDS,
    "trafficking_status": TRAFFICKING_STATUSES,
    "status_decided_by": STATUS_DECIDING_ORGANISATIONS,
    "forced_labour_industry": ISIC_SECTIONS,
    "trafficker_relationship": TRAFFICKER_RELATIONSHIPS,
    "identification_channel": IDENTIFICATION_CHANNELS,
    "risk_level": RISK_LEVELS,
    **CASE_CODE_LISTS,
}


def timeline_label(kind: str) -> str:
    """A timeline entry's kind in words (the one table: `casework/vocab/events.py`)."""
    return event_label(kind)


def describe(data: CaseInput, name: str) -> str:
    """The value of form field `name` in `data`, as a person reads it."""
    if name in CASE_CODE_LISTS:
        vocabulary = CASE_CODE_LISTS[name]
        return ", ".join(vocabulary.label(code) for code in data.codes.get(name, []))
    if name == "documents":
        return "; ".join(
            " ".join(
                part
                for part in (
                    DOCUMENT_TYPES.label(d.doc_type),
                    f"({country_name(d.issuing_country)})" if d.issuing_country else "",
                    d.number,
                )
                if part
            )
            for d in data.documents
        )
    if name == "events":
        return "; ".join(
            " ".join(
                part
                for part in (
                    EVENT_KINDS.label(e.kind),
                    country_name(e.country) if e.country else "",
                    e.province or "",
                    e.city or "",
                    e.coordinates or "",
                    day(e.occurred_on),
                    e.description or "",
                )
                if part
            )
            for e in data.events
        )
    value = getattr(data, name, None)
    if value is None or value == "":
        return ""
    if name in VOCABULARY_OF:
        return VOCABULARY_OF[name].label(value)
    if hasattr(value, "isoformat"):
        return day(value)
    return str(value)


def code_label(field: str, code: str | None) -> str:
    """A stored code as its label, for templates: `code_label("risk_level", case.risk_level)`."""
    if code is None or code == "":
        return ""
    if field in ("citizenship", "country"):
        return country_name(code)
    vocabulary = OTHER_VOCABULARIES.get(field) or VOCABULARY_OF.get(field)
    return vocabulary.label(code) if vocabulary is not None else code


def codes_label(field: str, codes: list[str]) -> str:
    """Several codes of one field as their labels, comma-separated."""
    return ", ".join(code_label(field, code) for code in codes)


OTHER_VOCABULARIES: dict[str, Vocabulary] = {
    "status": CASE_STATUSES,
    "closure_reason": CLOSURE_REASONS,
    "doc_type": DOCUMENT_TYPES,
    "kind": EVENT_KINDS,
    "consent_method": CONSENT_METHODS,
    "consent_purpose": CONSENT_PURPOSES,
}


def changed_fields(detail: str | None) -> str:
    """The labels of the fields a `case.updated` timeline entry names (codes in `detail`)."""
    from casework.cases.forms import CaseForm

    labels = []
    for name in (detail or "").split(","):
        unbound = getattr(CaseForm, name, None)
        # A list of fields (FieldList) names its label by keyword; a field, first.
        label = unbound.kwargs.get("label") if unbound is not None else None
        if label is None and unbound is not None and unbound.args:
            label = unbound.args[0]
        if label is not None:
            labels.append(str(label))
    return ", ".join(labels)
