"""Building blocks of the case forms: vocabulary selects, date checks, capped text, and the
repeated rows (identity documents, trafficking events)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz
from wtforms import (
    DateField,
    Form,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from casework.cases.ages import EARLIEST_BIRTH
from casework.cases.record import coordinates_text
from casework.core.db import utcnow
from casework.vocab import (
    COUNTRY_CODES,
    DOCUMENT_TYPES,
    EVENT_KINDS,
    Vocabulary,
    country_choices,
    country_name,
)
from casework.web.forms import checkboxes, squash, strip

MIN_CITIZENSHIPS = 2  # fields shown for a new person
MAX_CITIZENSHIPS = 4
MAX_DOCUMENTS = 10
MAX_EVENTS = 15
NOT_ON_LIST = _l("Choose a value from the list.")
TRAFFICKED_TOO_OLD = _l("The age when trafficked cannot be more than the age at identification.")


def not_in_future(message: object) -> Any:
    def check(form: Any, field: Any) -> None:
        if field.data is not None and field.data > utcnow().date():
            raise ValidationError(str(message))

    return check


def not_before(earliest: date, message: object) -> Any:
    def check(form: Any, field: Any) -> None:
        if field.data is not None and field.data < earliest:
            raise ValidationError(str(message))

    return check


def coded(label: object, vocabulary: Vocabulary, *, required: bool = False, **kw: Any) -> Any:
    """A select over a vocabulary; optional ones start blank."""
    blank = _l("Choose…") if required else _l("Not recorded")
    validators = [DataRequired(_l("Choose a value."))] if required else [Optional()]
    return SelectField(
        label,
        choices=lambda: vocabulary.choices(blank=blank),
        validators=validators,
        validate_choice=True,
        invalid_choice_message=NOT_ON_LIST,
        **kw,
    )


COUNTRY_LIST_ID = "country-names"
NOT_A_COUNTRY = _l("Choose a country from the list, or leave it empty.")
CLOSE_COUNTRIES = _l(
    "No country has that name. Did you mean: %(names)s? Type one of them, or the country's "
    "two-letter code."
)
COUNTRY_HINT = _l("Its name, or its two-letter code (TH).")


class CountryField(StringField):
    """A country typed with suggestions, stored as its ISO code.

    A case form has several country fields (citizenship, each document, each event): as
    selects they repeated 250 options each, most of the registration page's weight; later as
    one `<datalist>` per page they were still 9 KB of it. Now the page carries no names: every
    field points at the list `country-names`, which forms.js builds from the reader's
    language's file `static/countries/<lang>.json` (fingerprinted, cached for a year; written
    by tools/country_names.py), so the browser offers the names as an accessible combobox.
    Without JavaScript the person types the name in their language (or English) or the
    two-letter code; the server resolves it, and a name it does not know is refused with the
    close names to choose from (decision 0111).
    """

    def __init__(self, label: object = None, validators: Any = None, **kw: Any) -> None:
        render_kw = {"list": COUNTRY_LIST_ID, "autocomplete": "off", **kw.pop("render_kw", {})}
        kw.setdefault("description", COUNTRY_HINT)
        super().__init__(label, validators or [Optional()], render_kw=render_kw, **kw)
        self._unknown = False

    @staticmethod
    def names_file() -> str:
        """The static file (under `static/`) of the names in the reader's language."""
        return f"countries/{get_locale() or 'en'}.json"

    def process_formdata(self, valuelist: list[Any]) -> None:
        typed = " ".join(str(valuelist[0]).split()) if valuelist else ""
        self._unknown = False
        if not typed:
            self.data = None
            return
        code = country_code_for(typed)
        self._unknown = code is None
        self.data = code

    def pre_validate(self, form: Any) -> None:
        if self._unknown:
            close = close_countries(str(self.raw_data[0]) if self.raw_data else "")
            if close:
                raise ValidationError(str(CLOSE_COUNTRIES) % {"names": ", ".join(close)})
            raise ValidationError(str(NOT_A_COUNTRY))

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])  # shown again as typed
        return country_name(self.data) if self.data else ""


def country_code_for(typed: str) -> str | None:
    """The ISO code of a country typed as its code, or its name in the reader's language or
    English (letter case, spaces and punctuation ignored: "Viet Nam" is "Vietnam"); None when
    nothing matches."""
    if typed.upper() in COUNTRY_CODES:
        return typed.upper()
    wanted = _letters(typed)
    for names in (country_choices(), country_choices(locale="en")):
        for code, name in names:
            if _letters(name) == wanted:
                return code
    return None


def close_countries(typed: str, limit: int = 3) -> list[str]:
    """The names (in the reader's language) of the countries closest to `typed`, compared
    with their names in the reader's language and in English; at most `limit`, best first."""
    wanted = _letters(typed)
    if len(wanted) < 2:
        return []
    shown = dict(country_choices())
    best: dict[str, float] = {}
    for names in (country_choices(), country_choices(locale="en")):
        for code, name in names:
            score = fuzz.WRatio(wanted, _letters(name))
            if score >= CLOSE_ENOUGH and score > best.get(code, 0):
                best[code] = score
    ranked = sorted(best, key=lambda code: (-best[code], shown[code]))
    return [shown[code] for code in ranked[:limit]]


CLOSE_ENOUGH = 75


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def country(label: object, **kw: Any) -> Any:
    return CountryField(label, **kw)


def multiple(label: object, vocabulary: Vocabulary, **kw: Any) -> Any:
    return checkboxes(
        label,
        lambda: vocabulary.choices(),
        validators=[Optional()],
        invalid_choice_message=NOT_ON_LIST,
        **kw,
    )


SEVERAL_HINT = _l("Choose one or more: hold Ctrl (Cmd on a Mac) and click, or Shift with arrows.")


def several(label: object, vocabulary: Vocabulary, **kw: Any) -> Any:
    """A multiple choice as one compact list box: a few bytes per option where checkboxes
    take a line of markup each (the registration page stays light)."""
    return SelectMultipleField(
        label,
        choices=lambda: vocabulary.choices(),
        validators=[Optional()],
        invalid_choice_message=NOT_ON_LIST,
        description=SEVERAL_HINT,
        render_kw={"size": 5},
        **kw,
    )


def text(label: object, max_length: int, *, area: bool = False, **kw: Any) -> Any:
    field_class = TextAreaField if area else StringField
    return field_class(
        label,
        filters=[strip if area else squash],
        validators=[Optional(), Length(max=max_length)],
        **kw,
    )


class DocumentForm(Form):
    doc_type = coded(_l("Type of document"), DOCUMENT_TYPES)
    issuing_country = country(_l("Issuing country"))
    number = text(_l("Document number"), 60, render_kw={"autocomplete": "off"})

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)
        if self.number.data and not self.doc_type.data:
            self.doc_type.errors.append(str(_l("Choose the type of this document.")))
            valid = False
        if self.doc_type.data and not self.number.data:
            self.number.errors.append(str(_l("Enter the document number, or clear the type.")))
            valid = False
        return valid


class EventForm(Form):
    kind = coded(_l("Stage"), EVENT_KINDS)
    country = country(_l("Country"))
    province = text(_l("Province or state"), 100)
    city = text(_l("City or town"), 100)  # encrypted, as the section says of what happened
    coordinates = text(
        _l("Coordinates"),
        40,
        description=_l("Latitude, longitude, e.g. 13.7563, 100.5018. Stored encrypted."),
        render_kw={"inputmode": "decimal"},
    )
    occurred_on = DateField(
        _l("Date"),
        validators=[
            Optional(),
            not_in_future(_l("This date is in the future.")),
            not_before(EARLIEST_BIRTH, _l("Enter a date after 1900.")),
        ],
    )
    description = text(_l("What happened"), 2000, area=True)

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)
        coordinates = getattr(self, "coordinates", None)  # not asked at registration
        place = self.province.data or self.city.data or (coordinates and coordinates.data)
        filled = self.country.data or self.occurred_on.data or self.description.data or place
        if coordinates is not None and coordinates.data:
            spelled = coordinates_text(coordinates.data)
            if spelled is None:
                coordinates.errors.append(str(_l("Write coordinates as latitude, longitude.")))
                valid = False
            else:
                coordinates.data = spelled
        if filled and not self.kind.data:
            self.kind.errors.append(
                str(_l("Choose the stage: recruitment, transit or exploitation."))
            )
            valid = False
        return valid


class FirstEventForm(EventForm):
    """An event as registration asks it: the coordinates come later, on the edit form (the
    registration page stays under 30 KB)."""

    coordinates = None
