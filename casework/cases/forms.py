"""Case forms. Each declares exactly the fields it accepts: an `agency_id`, `assigned_to` or
`status` a request adds is never read. Every coded field is checked against its vocabulary,
dates against the calendar, text against a size cap.

The register form follows an interview: consent first, then the person, identity documents,
contact, the trafficking context, events and the case details.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    Label,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from casework.cases.ages import EARLIEST_BIRTH, OLDEST_AGE, AgeMismatch, derive_ages
from casework.cases.form_parts import (
    MAX_CITIZENSHIPS,
    MAX_DOCUMENTS,
    MAX_EVENTS,
    MIN_CITIZENSHIPS,
    TRAFFICKED_TOO_OLD,
    DocumentForm,
    EventForm,
    FirstEventForm,
    coded,
    country,
    multiple,
    not_before,
    not_in_future,
    several,
    text,
)
from casework.cases.operations import MOST_CHILDREN
from casework.vocab import (
    AGE_BANDS,
    CONSENT_METHODS,
    CONTROL_METHODS,
    EDUCATION_LEVELS,
    EXPLOITATION_PLATFORMS,
    EXPLOITATION_TYPES,
    GENDERS,
    IDENTIFICATION_CHANNELS,
    ISIC_SECTIONS,
    MARITAL_STATUSES,
    NOTE_CATEGORIES,
    PERPETRATOR_ROLES,
    RECRUITMENT_METHODS,
    RECRUITMENT_PLATFORMS,
    RISK_LEVELS,
    SEXUAL_EXPLOITATION_TYPES,
    STATUS_DECIDING_ORGANISATIONS,
    TRAFFICKER_RELATIONSHIPS,
    TRAFFICKING_STATUSES,
    VULNERABILITIES,
)
from casework.web.forms import squash, strip
from casework.web.once import OnceForm
from casework.web.views import show_operation_error

CITIZENSHIP_FIRST = _l("Citizenship")
CITIZENSHIP_MORE = _l("Also a citizen of")


def label_citizenships(form: Any) -> None:
    """Each country field of the citizenships its own label ("Citizenship", then "Also a
    citizen of": each read alone by a screen reader), the hint on the first."""
    for index, entry in enumerate(form.citizenship.entries):
        entry.label = Label(entry.id, CITIZENSHIP_FIRST if index == 0 else CITIZENSHIP_MORE)
        entry.description = form.citizenship.description if index == 0 else ""


class CaseForm(FlaskForm):
    """The content of a case (shared by register and edit)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label_citizenships(self)

    # Person
    full_name = StringField(
        _l("Full name"),
        filters=[squash],
        validators=[DataRequired(_l("Enter the person's name.")), Length(max=200)],
        description=_l("As the person gives it. Search finds it in any order, case or spacing."),
        render_kw={"autocomplete": "off"},
    )
    other_names = text(_l("Other names and spellings"), 500, render_kw={"autocomplete": "off"})
    salutation = text(
        _l("Salutation"), 40, description=_l("How the person wishes to be addressed.")
    )
    title = text(_l("Title"), 100, description=_l("Professional or other title, if any."))
    gender = coded(_l("Gender"), GENDERS)
    date_of_birth = DateField(
        _l("Date of birth"),
        validators=[
            Optional(),
            not_in_future(_l("The date of birth cannot be in the future.")),
            not_before(EARLIEST_BIRTH, _l("Enter a date of birth after 1900.")),
        ],
        description=_l("Leave empty if not known; give the age or an age band instead."),
    )
    age_at_identification = IntegerField(
        _l("Age at identification"),
        validators=[
            Optional(),
            NumberRange(0, OLDEST_AGE, _l("Enter an age between 0 and %(max)s.")),
        ],
        description=_l("Worked out from the date of birth when that is given."),
    )
    age_band = coded(
        _l("Age band"),
        AGE_BANDS,
        description=_l("Worked out from the age; choose one only when the age is not known."),
    )
    # HTCDS allows several citizenships: one country field each, all suggesting from the page's
    # one list of country names (no options repeated per field).
    citizenship = FieldList(
        country(_l("Country")),
        label=_l("Citizenship"),
        min_entries=MIN_CITIZENSHIPS,
        max_entries=MAX_CITIZENSHIPS,
        description=_l("Every country the person is a citizen of; leave empty if not known."),
    )
    education = coded(_l("Highest education"), EDUCATION_LEVELS)
    marital_status = coded(_l("Marital status"), MARITAL_STATUSES)
    number_of_children = IntegerField(
        _l("Number of children"),
        validators=[
            Optional(),
            NumberRange(0, MOST_CHILDREN, _l("Enter a number of children between 0 and %(max)d.")),
        ],
    )
    languages = text(_l("Languages spoken"), 200)
    # Identity documents
    documents = FieldList(
        FormField(DocumentForm),
        label=_l("Identity documents"),
        min_entries=1,
        max_entries=MAX_DOCUMENTS,
    )
    # Contact
    phone = text(_l("Phone"), 40, render_kw={"autocomplete": "off", "inputmode": "tel"})
    email = text(_l("Email"), 254, render_kw={"autocomplete": "off"})
    address = text(_l("Address"), 500, area=True)
    family_contacts = text(_l("Family contacts"), 1000, area=True)
    # Trafficking context
    trafficking_status = coded(_l("Trafficking status"), TRAFFICKING_STATUSES)
    status_decided_by = coded(_l("Status decided by"), STATUS_DECIDING_ORGANISATIONS)
    recruitment_method = multiple(_l("Methods of recruitment"), RECRUITMENT_METHODS)
    control_method = multiple(_l("Methods of control"), CONTROL_METHODS)
    exploitation_type = multiple(_l("Types of exploitation"), EXPLOITATION_TYPES)
    sexual_exploitation_type = multiple(
        _l("Types of sexual exploitation"), SEXUAL_EXPLOITATION_TYPES
    )
    recruitment_platform = several(_l("Websites and apps used to recruit"), RECRUITMENT_PLATFORMS)
    exploitation_platform = several(_l("Websites and apps used to exploit"), EXPLOITATION_PLATFORMS)
    vulnerability = several(_l("Vulnerabilities"), VULNERABILITIES)
    vulnerability_details = text(_l("Details of the vulnerabilities"), 2000, area=True)
    perpetrator_role = several(_l("What the perpetrators did"), PERPETRATOR_ROLES)
    perpetrator_details = text(_l("Details of the perpetrators' roles"), 2000, area=True)
    forced_labour_industry = coded(_l("Forced labour industry"), ISIC_SECTIONS)
    trafficker_relationship = coded(_l("Relationship to the trafficker"), TRAFFICKER_RELATIONSHIPS)
    age_when_trafficked = IntegerField(
        _l("Age when trafficked"),
        validators=[
            Optional(),
            NumberRange(0, OLDEST_AGE, _l("Enter an age between 0 and %(max)s.")),
        ],
    )
    # Events
    events = FieldList(
        FormField(EventForm),
        label=_l("Trafficking events"),
        min_entries=1,
        max_entries=MAX_EVENTS,
    )
    # Case details
    identified_on = DateField(
        _l("Identification date"),
        validators=[
            InputRequired(_l("Enter the date the person was identified.")),
            not_in_future(_l("The identification date cannot be in the future.")),
            not_before(EARLIEST_BIRTH, _l("Enter a date after 1900.")),
        ],
    )
    identification_channel = coded(_l("Identified through"), IDENTIFICATION_CHANNELS, required=True)
    risk_level = coded(_l("Risk level"), RISK_LEVELS, required=True)

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)
        if self.identified_on.data is not None and not self.identified_on.errors:
            try:
                ages = derive_ages(
                    date_of_birth=None if self.date_of_birth.errors else self.date_of_birth.data,
                    age=None
                    if self.age_at_identification.errors
                    else self.age_at_identification.data,
                    band=self.age_band.data or None,
                    identified_on=self.identified_on.data,
                )
            except AgeMismatch as mismatch:
                show_operation_error(self, mismatch)
                return False
            trafficked = self.age_when_trafficked.data
            known = ages.age_at_identification
            if trafficked is not None and known is not None and trafficked > known:
                self.age_when_trafficked.errors.append(str(TRAFFICKED_TOO_OLD))
                valid = False
        return valid

    def add_row(self, wanted: str | None) -> bool:
        """ "Add another" was pressed (`wanted` names the repeated part): one more blank row
        of it, up to its maximum. True when it was, and then the form is shown again as sent,
        neither checked nor saved (decision 0112)."""
        rows = {"documents": self.documents, "events": self.events}.get(wanted or "")
        if rows is None:
            return False
        if len(rows.entries) < (rows.max_entries or 0):
            rows.append_entry()
        return True

    def error_links(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) for every error, for the summary above the form."""
        links: list[tuple[str, str, str]] = []
        for field in self:
            if isinstance(field, FieldList):
                for entry in field:
                    number = int(entry.id.rsplit("-", 1)[-1]) + 1
                    # A row of fields (FormField), or one field (a country of citizenship).
                    subs = list(entry.form) if isinstance(entry, FormField) else [entry]
                    for sub in subs:
                        for message in sub.errors:
                            label = f"{field.label.text} {number}: {sub.label.text}"
                            links.append((sub.id, label, message))
                first = field.entries[0].id if field.entries else field.id
                for message in field.errors:
                    if isinstance(message, str):  # an operation's refusal of the whole list
                        links.append((first, str(field.label.text), message))
            else:
                for message in field.errors if isinstance(field.errors, list) else []:
                    links.append((field.id, str(field.label.text), message))
        return links


class RegisterForm(OnceForm, CaseForm):
    """Registration: the consent comes first, and without it nothing is registered. Sent
    twice (a double click, a retry), it registers one case (`OnceForm`)."""

    consent_confirmed = BooleanField(
        _l(
            "The person (or their guardian) agrees to be registered and to the processing of "
            "their data for their case"
        ),
        validators=[DataRequired(_l("A case cannot be registered without this consent."))],
    )
    consent_method = coded(_l("How consent was given"), CONSENT_METHODS, required=True)
    consent_given_on = DateField(
        _l("Date consent was given"),
        validators=[
            InputRequired(_l("Enter the date consent was given.")),
            not_in_future(_l("The consent date cannot be in the future.")),
        ],
    )
    # Set when the user chose to register despite a possible duplicate (see duplicates.py).
    duplicates_seen = HiddenField()
    # Asked later, on the case's edit form: the registration page stays light (under 30 KB,
    # tests/cases/test_form_rows.py); a first interview seldom has them (decision 0099).
    salutation = None
    title = None
    marital_status = None
    number_of_children = None
    recruitment_platform = None
    exploitation_platform = None
    vulnerability = None
    vulnerability_details = None
    perpetrator_role = None
    perpetrator_details = None
    events = FieldList(
        FormField(FirstEventForm),
        label=_l("Trafficking events"),
        min_entries=1,
        max_entries=MAX_EVENTS,
    )


class EditForm(CaseForm):
    """Edit: carries the version it was loaded at, and the fingerprints of what it showed."""

    version = HiddenField()
    base = HiddenField()

    def loaded_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class NoteForm(FlaskForm):
    category = coded(
        _l("What the note is about"),
        NOTE_CATEGORIES,
        required=True,
        description=_l(
            "A referral that shares health and risk, or the trafficking context, shares the "
            "notes of that kind only. Case management, police and legal notes stay with your "
            "agency."
        ),
    )
    body = TextAreaField(
        _l("New note"),
        filters=[strip],
        validators=[DataRequired(_l("Write the note first.")), Length(max=5000)],
        description=_l("Stored encrypted. Notes cannot be edited once added."),
    )
