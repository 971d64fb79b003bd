"""Age at identification and CTDC age band: derived from what is known, and kept consistent.

A person may know their date of birth, only their age, or neither (an age band estimated by
the caseworker). Whatever is given must agree: a date of birth gives the age on the
identification date, an age gives the band. Pure functions (no database), used by the form's
validation and again by the operations; `age_on` and `is_minor_on` give the person's age on
any later day (a consent's date: a minor consents through a guardian).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from flask_babel import lazy_gettext as _l

from casework.core.errors import OperationError
from casework.vocab import AGE_BANDS, age_band, band_bounds

OLDEST_AGE = 120
ADULT_AGE = 18
EARLIEST_BIRTH = date(1900, 1, 1)


class AgeMismatch(OperationError):
    """The date of birth, the age and the band given do not agree (`field`: which to fix)."""


class AgedCase(Protocol):
    """What the age of a case's person is worked out from (a Case)."""

    @property
    def person(self) -> Any: ...
    @property
    def identified_on(self) -> date: ...
    @property
    def age_at_identification(self) -> int | None: ...
    @property
    def age_band(self) -> str | None: ...


@dataclass(frozen=True)
class Ages:
    age_at_identification: int | None
    age_band: str | None


def whole_years(start: date, end: date) -> int:
    """Whole years from `start` to `end` (an age, when `start` is the date of birth)."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def derive_ages(
    *,
    date_of_birth: date | None,
    age: int | None,
    band: str | None,
    identified_on: date,
) -> Ages:
    """The age at identification and the age band, derived and checked for consistency.

    Raises AgeMismatch (on the field to correct) when the date of birth, the age and the band
    disagree, when the birth is after the identification, or the band is unknown.
    """
    band = band or None
    if band is not None and band not in AGE_BANDS:
        raise AgeMismatch(_l("Choose an age band from the list."), "age_band")
    if age is not None and not 0 <= age <= OLDEST_AGE:
        raise AgeMismatch(
            _l("Enter an age between 0 and %(oldest)d.", oldest=OLDEST_AGE),
            "age_at_identification",
        )
    if date_of_birth is not None:
        if date_of_birth > identified_on:
            raise AgeMismatch(
                _l("The date of birth is after the identification date."), "date_of_birth"
            )
        from_birth = whole_years(date_of_birth, identified_on)
        if age is not None and age != from_birth:
            raise AgeMismatch(
                _l(
                    "The date of birth gives an age of %(age)d on the identification date. "
                    "Correct the age or the date of birth, or leave the age empty.",
                    age=from_birth,
                ),
                "age_at_identification",
            )
        age = from_birth
    derived = age_band(age)
    if band is not None and derived is not None and band != derived:
        raise AgeMismatch(
            _l(
                "An age of %(age)d is in the band %(band)s. Correct the band or leave it empty.",
                age=age,
                band=AGE_BANDS.label(derived),
            ),
            "age_band",
        )
    return Ages(age, derived or band)


def age_on(case: AgedCase, on: date) -> int | None:
    """The person's age in whole years on `on`: from the date of birth when known, else from
    the age at identification (None when neither is known, or after erasure)."""
    born = case.person.date_of_birth if case.person is not None else None
    if born:
        try:
            return whole_years(date.fromisoformat(born), on)
        except ValueError:
            pass
    if case.age_at_identification is None:
        return None
    return case.age_at_identification + max(whole_years(case.identified_on, on), 0)


def is_minor_on(case: AgedCase, on: date) -> bool | None:
    """Under 18 on `on`? None when unknown. An age band alone decides when it lies wholly
    below or above 18."""
    age = age_on(case, on)
    if age is not None:
        return age < ADULT_AGE
    if case.age_band:
        low, high = band_bounds(case.age_band)
        if high is not None and high < ADULT_AGE:
            return True
        if low >= ADULT_AGE:
            return False
    return None


@dataclass(frozen=True)
class _Person:
    date_of_birth: str | None


@dataclass(frozen=True)
class Described:
    """A person as a form describes them, before any case exists (registration)."""

    person: _Person
    identified_on: date
    age_at_identification: int | None
    age_band: str | None

    @classmethod
    def of(
        cls,
        *,
        date_of_birth: date | None,
        identified_on: date,
        age_at_identification: int | None,
        age_band: str | None,
    ) -> Described:
        born = date_of_birth.isoformat() if date_of_birth else None
        return cls(_Person(born), identified_on, age_at_identification, age_band)


# ---- who gives consent: the one rule, for registration and for the consent form -------------

GUARDIAN = "guardian"  # the consent method code meaning "given by a minor's guardian"


def check_consent_method(case: AgedCase, given_on: date, method: str, field: str) -> None:
    """A person under 18 on the day consents through a guardian, and "guardian" is refused
    for an adult (the code means a minor's guardian). When the age on that day is unknown,
    either is accepted. Raises AgeMismatch on `field` (the form's method field)."""
    minor = is_minor_on(case, given_on)
    if minor is True and method != GUARDIAN:
        raise AgeMismatch(
            _l("The person was under 18 on that date: a guardian gives consent."), field
        )
    if minor is False and method == GUARDIAN:
        raise AgeMismatch(_l("The person was an adult on that date: choose another way."), field)
