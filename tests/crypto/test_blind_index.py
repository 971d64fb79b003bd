"""Blind indexes: per-column keys, truncation, and the sizing planner."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.crypto import BlindIndexer, normalise_name, plan_bits, recommend_bits

INDEXER = BlindIndexer(b"k" * 32)
WORDS = st.text(st.characters(categories=("Lu", "Ll", "Lo", "Nd")), min_size=1, max_size=20)


@given(WORDS, st.integers(1, 32))
def test_index_fits_in_bits_and_is_deterministic(value: str, bits: int) -> None:
    index = INDEXER.index("persons.family_name", value, bits)
    assert 0 <= index < 2**bits
    assert BlindIndexer(b"k" * 32).index("persons.family_name", value, bits) == index


@given(WORDS, st.integers(1, 31))
def test_shorter_index_is_a_prefix_of_the_longer(value: str, bits: int) -> None:
    # Truncation keeps the leading bits of one HMAC (so a re-plan is a shift, not a re-key).
    assert INDEXER.index("c", value, bits + 1) >> 1 == INDEXER.index("c", value, bits)


@given(st.lists(st.text(st.characters(categories=("Lu", "Ll")), min_size=1), min_size=1))
def test_name_variants_give_one_index(parts: list[str]) -> None:
    plain = INDEXER.index("persons.name", normalise_name(" ".join(parts)), 32)
    shouted = INDEXER.index("persons.name", normalise_name("  ".join(p.upper() for p in parts)), 32)
    assert plain == shouted


def test_columns_and_keys_separate_indexes() -> None:
    # 32 bits: a chance collision would be a one-in-four-billion event.
    value = normalise_name("Nguyen Thi Lan")
    by_column = {INDEXER.index(col, value, 32) for col in ("persons.name", "contacts.name", "x")}
    assert len(by_column) == 3
    assert BlindIndexer(b"j" * 32).index("persons.name", value, 32) != INDEXER.index(
        "persons.name", value, 32
    )


def test_short_indexes_collide() -> None:
    values = [f"person {n}" for n in range(1000)]
    indexes = {INDEXER.index("persons.name", v, 8) for v in values}
    assert len(indexes) <= 256  # 1000 values, 8 bits: collisions are guaranteed


def test_refuses_empty_values_and_bad_sizes() -> None:
    with pytest.raises(ValueError, match="empty"):
        INDEXER.index("persons.name", "", 16)
    for bits in (0, 33):
        with pytest.raises(ValueError, match="bits"):
            INDEXER.index("persons.name", "x", bits)
    with pytest.raises(ValueError, match="32 bytes"):
        BlindIndexer(b"short")
    assert "k" * 8 not in repr(INDEXER)


@pytest.mark.parametrize(
    ("rows", "low", "high"),
    [(10_000, 7, 12), (50_000, 8, 14), (1_000, 5, 8), (100, 4, 5)],
)
def test_planner_keeps_two_to_sqrt_n_coincidences(rows: int, low: int, high: int) -> None:
    plan = plan_bits(rows)
    assert (plan.low, plan.high) == (low, high)
    assert plan.recommended == high == recommend_bits(rows)
    assert rows / 2**plan.high >= 2
    assert rows / 2**plan.low <= max(2, rows**0.5)


@given(st.integers(4, 10**9), st.integers(0, 20))
def test_planner_invariants(rows: int, other: int) -> None:
    try:
        plan = plan_bits(rows, other_index_bits=other)
    except ValueError:
        assert rows / 2 ** (other + 1) < 2
        return
    assert 1 <= plan.low <= plan.high <= 32
    assert rows / 2 ** (other + plan.high) >= 2
    assert plan.high == 32 or rows / 2 ** (other + plan.high + 1) < 2


def test_planner_counts_other_indexes_and_small_domains() -> None:
    assert plan_bits(50_000, other_index_bits=4).high == 10
    assert plan_bits(50_000, input_domain_bits=6).high == 6
    with pytest.raises(ValueError, match="too few rows"):
        plan_bits(3)
