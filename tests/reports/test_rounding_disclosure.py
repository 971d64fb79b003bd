"""Rounding and the disclosure pipeline: published cells, determinism, notes, DP mode."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.crypto import generate_keyring
from casework.reports.disclosure import (
    DIFFERENTIAL_PRIVACY,
    NOTE_DP,
    NOTE_NO_DATA,
    NOTE_ROUNDED,
    NOTE_SUPPRESSED,
    TOTAL,
    CountTable,
    PublishedTable,
    protect,
)
from casework.reports.rounding import coin, derive_rounding_key, round_count
from casework.reports.suppression import extend
from tests.reports.oracle import hidden_ranges
from tests.reports.test_suppression import tables

KEY = b"k" * 32


def count_table(counts: list[list[int]]) -> CountTable:
    return CountTable(
        template="victims_by_citizenship",
        row_codes=tuple(f"R{i}" for i in range(len(counts))),
        column_codes=tuple(f"C{j}" for j in range(len(counts[0]))),
        counts=tuple(tuple(row) for row in counts),
    )


@given(
    value=st.integers(0, 500),
    base=st.integers(1, 10),
    k=st.integers(2, 15),
    draw=st.floats(0, 0.999999),
)
def test_rounding_lands_on_a_neighbouring_multiple_never_in_1_to_k_minus_1(
    value: int, base: int, k: int, draw: float
) -> None:
    if 0 < value < k:
        value += k  # rounding only ever sees 0 or published counts >= k
    rounded = round_count(value, base, k, draw)
    assert rounded == 0 or rounded >= k
    assert rounded % base == 0 or rounded == value
    assert abs(rounded - value) < base or (value % base and rounded - value < base)
    assert (rounded == 0) == (value == 0)


def test_rounding_is_unbiased_over_the_coin() -> None:
    draws = [i / 1000 for i in range(1000)]
    mean = sum(round_count(12, 5, 10, d) for d in draws) / len(draws)
    assert mean == pytest.approx(12, abs=0.01)


def test_coin_depends_on_key_template_cell_and_value() -> None:
    base = coin(KEY, "t", ("a", "b"), 12)
    assert base == coin(KEY, "t", ("a", "b"), 12)
    others = {
        coin(b"j" * 32, "t", ("a", "b"), 12),
        coin(KEY, "u", ("a", "b"), 12),
        coin(KEY, "t", ("a", "c"), 12),
        coin(KEY, "t", ("a", "b"), 13),
    }
    assert base not in others


def test_rounding_key_comes_from_the_keyring_and_differs_between_keyrings() -> None:
    ring = generate_keyring()
    assert derive_rounding_key(ring) == derive_rounding_key(ring)
    assert derive_rounding_key(ring) != derive_rounding_key(generate_keyring())
    assert derive_rounding_key(ring) != ring.signing_private_key().private_bytes_raw()


@settings(max_examples=100, deadline=None)
@given(counts=tables(), k=st.integers(2, 12), base=st.sampled_from([1, 3, 5]))
def test_published_tables_show_nothing_in_1_to_k_minus_1_and_repeat_exactly(
    counts: list[list[int]], k: int, base: int
) -> None:
    table = count_table(counts)
    first = protect(table, k=k, rounding_base=base, rounding_key=KEY)
    assert first == protect(table, k=k, rounding_base=base, rounding_key=KEY)
    for row in first.values:
        for value in row:
            assert value is None or value == 0 or value >= k
    assert PublishedTable.from_dict(first.to_dict()) == first


def test_hidden_cells_are_marked_and_noted() -> None:
    table = count_table([[12, 3, 20], [15, 25, 30], [40, 11, 2]])
    published = protect(table, k=10, rounding_base=5, rounding_key=KEY)
    assert published.row_codes == ("R0", "R1", "R2", TOTAL)
    assert published.column_codes == ("C0", "C1", "C2", TOTAL)
    assert published.values[0][1] is None
    assert published.values[2][2] is None
    assert published.hidden_cells == 4
    assert published.notes == (NOTE_SUPPRESSED, NOTE_ROUNDED)
    # Rounded to base 5, and the attacker still cannot pin the hidden cells even knowing the
    # unrounded published figures.
    assert all(v % 5 == 0 for row in published.values for v in row if v is not None)


def test_every_row_is_published_and_zeros_are_hidden_like_small_counts() -> None:
    """The grid never depends on the data: a row nobody is in stays, and its zeros are
    hidden like small counts, so a reader cannot tell a hidden 3 from a true 0."""
    published = protect(count_table([[0, 0], [20, 30]]), k=10, rounding_base=1, rounding_key=KEY)
    assert published.row_codes == ("R0", "R1", TOTAL)
    assert published.values[0] == (None, None, None)
    assert published.values[2][2] is not None  # the grand total is published
    small = protect(count_table([[3, 0], [20, 30]]), k=10, rounding_base=1, rounding_key=KEY)
    assert small.values[0] == published.values[0]  # a 3 and a 0 look the same
    empty = protect(count_table([[0, 0]]), k=10, rounding_base=5, rounding_key=KEY)
    assert empty.empty
    assert empty.notes == (NOTE_NO_DATA,)


def test_differential_privacy_mode_adds_noise_through_opendp() -> None:
    counts = [[500, 400], [300, 200], [100, 50]]
    table = count_table(counts)
    published = protect(
        table, k=10, rounding_base=5, rounding_key=KEY, mode=DIFFERENTIAL_PRIVACY, epsilon=0.5
    )
    assert published.mode == DIFFERENTIAL_PRIVACY
    assert published.epsilon == 0.5
    assert published.rounding_base is None
    assert NOTE_DP in published.notes
    inner = [v for row in published.values[:3] for v in row[:2]]
    true = [v for row in counts for v in row]
    assert all(v is not None and abs(v - t) < 100 for v, t in zip(inner, true, strict=True))
    # Margins are sums of the noisy cells (post-processing).
    assert published.values[3][2] == sum(inner)
    draws = {
        protect(
            table, k=10, rounding_base=5, rounding_key=KEY, mode=DIFFERENTIAL_PRIVACY, epsilon=0.5
        ).values
        for _ in range(5)
    }
    assert len(draws) > 1  # real noise; the ledger, not a fixed seed, stops repeats


@settings(max_examples=40, deadline=None)
@given(counts=tables(), epsilon=st.sampled_from([0.2, 1.0]), sensitivity=st.integers(1, 3))
def test_dp_tables_hide_nothing_and_give_each_figure_its_interval(
    counts: list[list[int]], epsilon: float, sensitivity: int
) -> None:
    """Every code row is published (noise never invents or drops a row), every figure is a
    non-negative whole number, margins are the sums of the cells, and each figure carries a
    95% interval around it."""
    published = protect(
        count_table(counts),
        k=10,
        rounding_base=5,
        rounding_key=KEY,
        mode=DIFFERENTIAL_PRIVACY,
        epsilon=epsilon,
        sensitivity=sensitivity,
    )
    assert published.hidden_cells == 0
    assert published.row_codes[: len(counts)] == tuple(f"R{i}" for i in range(len(counts)))
    # The raw noisy cells are kept for a hub; each column's published total is their sum
    # (never below 0): post-processing keeps the noisy totals, unbiased.
    assert published.noisy_cells is not None
    assert len(published.noisy_cells) == len(counts)
    for c in range(len(counts[0])):
        noisy_sum = sum(row[c] for row in published.noisy_cells)
        assert sum(row[c] for row in published.values[: len(counts)]) == max(0, noisy_sum)  # type: ignore[misc]
    assert published.intervals is not None
    assert published.sensitivity == sensitivity
    for row, intervals in zip(published.values, published.intervals, strict=True):
        for value, interval in zip(row, intervals, strict=True):
            assert value is not None
            assert value >= 0
            assert interval is not None
            assert interval[0] <= value <= interval[1]
    width = len(counts[0])
    if width > 1:
        for row in published.values:
            assert row[width] == sum(row[:width])  # type: ignore[arg-type]
    if len(counts) > 1:
        for c in range(len(published.column_codes)):
            column = [row[c] for row in published.values[: len(counts)]]
            assert published.values[len(counts)][c] == sum(column)  # type: ignore[arg-type]


def test_oracle_sees_no_pinned_cell_in_a_published_table() -> None:
    counts = [[12, 3, 20], [15, 25, 30], [40, 11, 2]]
    published = protect(count_table(counts), k=10, rounding_base=1, rounding_key=KEY)
    hidden = {
        (r, c) for r, row in enumerate(published.values) for c, v in enumerate(row) if v is None
    }
    # rounding_base=1 publishes exact figures: the attacker's best case
    grid, _, _ = extend(counts)
    for cell, (low, high) in hidden_ranges(grid, hidden, True, True).items():
        assert low < high, cell
