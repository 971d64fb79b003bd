"""Age at identification and age band: derived, and refused when they disagree."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.cases.ages import AgeMismatch, derive_ages, whole_years
from casework.vocab import age_band, band_bounds

IDENTIFIED = date(2026, 3, 14)


def test_birth_date_gives_age_and_band() -> None:
    ages = derive_ages(
        date_of_birth=date(2001, 3, 15), age=None, band=None, identified_on=IDENTIFIED
    )
    assert (ages.age_at_identification, ages.age_band) == (24, "24-26")
    ages = derive_ages(
        date_of_birth=date(2001, 3, 14), age=None, band=None, identified_on=IDENTIFIED
    )
    assert ages.age_at_identification == 25


def test_age_alone_gives_band_and_band_alone_is_kept() -> None:
    assert (
        derive_ages(date_of_birth=None, age=16, band=None, identified_on=IDENTIFIED).age_band
        == "9-17"
    )
    only_band = derive_ages(date_of_birth=None, age=None, band="30-38", identified_on=IDENTIFIED)
    assert (only_band.age_at_identification, only_band.age_band) == (None, "30-38")
    assert (
        derive_ages(date_of_birth=None, age=None, band=None, identified_on=IDENTIFIED).age_band
        is None
    )


@pytest.mark.parametrize(
    ("birth", "age", "band", "field"),
    [
        (date(2001, 3, 15), 30, None, "age_at_identification"),  # birth date says 24
        (date(2001, 3, 15), None, "9-17", "age_band"),  # 24 is not a child
        (None, 40, "18-20", "age_band"),
        (date(2027, 1, 1), None, None, "date_of_birth"),  # born after identification
        (None, 121, None, "age_at_identification"),
        (None, -1, None, "age_at_identification"),
        (None, None, "17-99", "age_band"),  # not a band
    ],
)
def test_inconsistent_ages_are_refused_on_the_right_field(birth, age, band, field) -> None:
    with pytest.raises(AgeMismatch) as refused:
        derive_ages(date_of_birth=birth, age=age, band=band, identified_on=IDENTIFIED)
    assert refused.value.field == field


@given(st.dates(min_value=date(1900, 1, 1), max_value=IDENTIFIED))
def test_derived_band_always_contains_the_derived_age(born: date) -> None:
    ages = derive_ages(date_of_birth=born, age=None, band=None, identified_on=IDENTIFIED)
    assert ages.age_at_identification == whole_years(born, IDENTIFIED)
    assert ages.age_band == age_band(ages.age_at_identification)
    low, high = band_bounds(ages.age_band)
    assert low <= ages.age_at_identification
    assert high is None or ages.age_at_identification <= high
