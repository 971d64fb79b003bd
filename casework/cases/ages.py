"""Age at identification and CTDC age band: derived from what is known, and kept consistent.

A person may know their date of birth, only their age, or neither (an age band estimated by
the caseworker). Whatever is given must agree: a date of birth gives the age on the
identification date, an age gives the band. Pure functions (no Flask, no database), used by
the form's validation and again by the operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from casework.vocab import AGE_BANDS, age_band

OLDEST_AGE = 120
EARLIEST_BIRTH = date(1900, 1, 1)


class AgeMismatch(ValueError):
    """What was given does not agree. `field` names the form field to put the message on."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Ages:
    age_at_identification: int | None
    age_band: str | None


def age_on(born: date, on: date) -> int:
    """Whole years from `born` to `on`."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


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
        raise AgeMismatch("age_band", _l("Choose an age band from the list."))
    if age is not None and not 0 <= age <= OLDEST_AGE:
        raise AgeMismatch(
            "age_at_identification",
            _l("Enter an age between 0 and %(oldest)d.", oldest=OLDEST_AGE),
        )
    if date_of_birth is not None:
        if date_of_birth > identified_on:
            raise AgeMismatch(
                "date_of_birth", _l("The date of birth is after the identification date.")
            )
        from_birth = age_on(date_of_birth, identified_on)
        if age is not None and age != from_birth:
            raise AgeMismatch(
                "age_at_identification",
                _l(
                    "The date of birth gives an age of %(age)d on the identification date. "
                    "Correct the age or the date of birth, or leave the age empty.",
                    age=from_birth,
                ),
            )
        age = from_birth
    derived = age_band(age)
    if band is not None and derived is not None and band != derived:
        raise AgeMismatch(
            "age_band",
            _l(
                "An age of %(age)d is in the band %(band)s. Correct the band or leave it empty.",
                age=age,
                band=AGE_BANDS.label(derived),
            ),
        )
    return Ages(age, derived or band)
