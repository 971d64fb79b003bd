"""Suppression invariants, checked against an independent integer-programming attacker."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.reports.suppression import extend, find_bridges, suppress
from tests.reports.oracle import hidden_ranges

# Mostly small counts, so that many cells need hiding; some zeros and some large ones.
counts_value = st.one_of(st.integers(0, 12), st.integers(0, 60), st.just(0))


@st.composite
def tables(draw: st.DrawFn, max_rows: int = 6, max_cols: int = 5) -> list[list[int]]:
    rows = draw(st.integers(1, max_rows))
    cols = draw(st.integers(1, max_cols))
    return [[draw(counts_value) for _ in range(cols)] for _ in range(rows)]


@settings(max_examples=150, deadline=None)
@given(counts=tables(), k=st.integers(2, 12))
def test_no_visible_cell_in_1_to_k_minus_1(counts: list[list[int]], k: int) -> None:
    result = suppress(counts, k)
    for r, row in enumerate(result.grid):
        for c, value in enumerate(row):
            if (r, c) not in result.hidden:
                assert value == 0 or value >= k


@settings(max_examples=120, deadline=None)
@given(counts=tables(), k=st.integers(2, 12))
def test_no_hidden_cell_is_pinned_by_the_published_margins(counts: list[list[int]], k: int) -> None:
    result = suppress(counts, k)
    ranges = hidden_ranges(
        result.grid, result.hidden, result.has_row_totals, result.has_column_totals
    )
    for cell, (low, high) in ranges.items():
        assert low < high, f"hidden cell {cell} is pinned to {low}"
        assert low <= result.grid[cell[0]][cell[1]] <= high


@settings(max_examples=60, deadline=None)
@given(counts=tables(), k=st.integers(2, 12))
def test_suppression_is_deterministic_and_hides_only_positive_cells(
    counts: list[list[int]], k: int
) -> None:
    first, second = suppress(counts, k), suppress([list(r) for r in counts], k)
    assert first == second
    assert all(first.grid[r][c] > 0 for r, c in first.hidden)


def test_primary_alone_would_be_recovered_by_the_oracle() -> None:
    """The attacker works: without secondary suppression the primary cells are pinned."""
    result = suppress([[12, 3, 20], [15, 25, 30], [40, 11, 2]], 10)
    alone = hidden_ranges(result.grid, result.primary, True, True)
    assert alone == {(0, 1): (3, 3), (2, 2): (2, 2)}
    assert result.secondary


def test_bridge_between_two_cycles_is_found() -> None:
    """Two protected blocks joined by one hidden cell: that cell is pinned (a bridge)."""
    hidden = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)}
    assert find_bridges(hidden, 5, 5) == [(0, 2)]


def test_single_column_table_has_no_repeated_totals() -> None:
    grid, row_totals, column_totals = extend([[3], [20], [30]])
    assert grid == [[3], [20], [30], [53]]
    assert (row_totals, column_totals) == (False, True)
    result = suppress([[3], [20], [30]], 10)
    assert result.primary == {(0, 0)}
    assert result.secondary == {(1, 0)}  # the smaller of the other cells


def test_everything_small_is_all_hidden() -> None:
    result = suppress([[1, 2], [3, 1]], 10)
    assert result.hidden == {(r, c) for r in range(3) for c in range(3)}


@pytest.mark.parametrize(
    ("counts", "message"),
    [([], "at least one row"), ([[1, 2], [3]], "same number"), ([[-1]], "negative")],
)
def test_bad_tables_are_refused(counts: list[list[int]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        suppress(counts, 10)
