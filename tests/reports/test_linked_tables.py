"""Protection across every table released for the same people, checked by an attacker that
solves for each hidden figure with all of them at once (tests/reports/linked_oracle.py)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.reports.disclosure import CountTable, PublishedTable, protect
from tests.reports.linked_oracle import Released, hidden_intervals

KEY = b"r" * 32
MONTHS = ("2026-07", "2026-08", "2026-09")
ATTRIBUTES = {
    "victims_by_gender": ("F", "M", "T", "U"),
    "victims_by_age_band": ("0-8", "9-17", "18-20", "21-23", "24-26", "27-29", "30+", "U"),
    "victims_by_citizenship": ("KH", "LA", "MM", "VN", "TH", "OTHER", "U"),
    "victims_by_identification_channel": ("hotline", "police", "labour", "outreach", "U"),
}


def population(size: int, seed: int) -> list[dict[str, str]]:
    """People with one code per attribute and a month, skewed like real case loads."""
    rng = random.Random(seed)
    people = []
    for _ in range(size):
        person = {"month": rng.choice(MONTHS)}
        for template, codes in ATTRIBUTES.items():
            weights = [1 / (i + 1) ** 1.5 for i in range(len(codes))]
            person[template] = rng.choices(codes, weights)[0]
        people.append(person)
    return people


def released_tables(
    people: list[dict[str, str]], k: int, base: int
) -> list[tuple[Released, list[list[int]]]]:
    """Every one-way table of the population, released one after the other as the
    application does: each audited against the tables released before it."""
    out: list[tuple[Released, list[list[int]]]] = []
    earlier: list[PublishedTable] = []
    for template, codes in ATTRIBUTES.items():
        counts = tuple(
            tuple(sum(1 for p in people if p[template] == code and p["month"] == m) for m in MONTHS)
            for code in codes
        )
        table = CountTable(template, codes, MONTHS, counts)
        published = protect(
            table,
            k=k,
            rounding_base=base,
            rounding_key=KEY,
            rounding_context=("cases", "country", "TH", "2026-Q3", "snapshot"),
            shared_margins=True,
            linked=earlier,
        )
        earlier.append(published)
        grid = [[*row, sum(row)] for row in counts]
        grid.append([sum(column) for column in zip(*grid, strict=True)])
        out.append((Released(template, published.values, len(codes), len(MONTHS)), grid))
    return out


def assert_protected(people: list[dict[str, str]], k: int, base: int) -> int:
    """Every hidden figure of every table keeps at least k possible values for an attacker
    with all the tables, and the truth among them; returns how many were checked."""
    tables = released_tables(people, k, base)
    intervals = hidden_intervals([t for t, _ in tables], k, base)
    for (name, (r, c)), (low, high) in intervals.items():
        true = next(g for t, g in tables if t.name == name)[r][c]
        assert low <= true <= high, (name, r, c)
        assert high - low >= k - 1, f"{name} {(r, c)}: true {true} pinned to [{low}, {high}]"
    return len(intervals)


@pytest.mark.parametrize(("size", "seed"), [(60, 1), (150, 2), (400, 3), (1200, 4)])
def test_no_hidden_figure_is_narrowed_by_all_the_tables_together(size: int, seed: int) -> None:
    assert assert_protected(population(size, seed), k=10, base=5) > 0


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(size=st.integers(20, 500), seed=st.integers(0, 10_000), base=st.sampled_from([3, 5]))
def test_linked_protection_holds_for_any_population(size: int, seed: int, base: int) -> None:
    assert_protected(population(size, seed), k=10, base=base)


def test_the_attacker_finds_what_tables_alone_would_give_away() -> None:
    """The attacker works: without the audit against the earlier tables, the same tables
    leave hidden figures narrower than k values."""
    people = population(400, 3)
    found = 0
    for template, codes in ATTRIBUTES.items():
        counts = tuple(
            tuple(sum(1 for p in people if p[template] == code and p["month"] == m) for m in MONTHS)
            for code in codes
        )
        from casework.reports.suppression import suppress

        result = suppress([list(r) for r in counts], 10)  # the old rule: zeros shown, exact
        values = [
            [None if (r, c) in result.hidden else v for c, v in enumerate(row)]
            for r, row in enumerate(result.grid)
        ]
        intervals = hidden_intervals([Released(template, values, len(codes), 3)], 10, 1)
        found += sum(1 for low, high in intervals.values() if high - low < 9)
    assert found > 0
