"""Blind indexes: exact search over encrypted columns without decrypting every row.

    index = first `bits` bits of HMAC-SHA256(column key, UTF-8 of the normalised value)
    column key = HKDF-SHA256(index key, salt=none, info=b"casework blind index v1|" + column)

Callers normalise first (see `normalise`: `normalise_name`, `normalise_date`, ...) and pass
a column name qualified by its table ("persons.family_name"), so equal values in two columns
have unrelated indexes. The index is deliberately short, so unrelated values share it: a
search selects rows by index, decrypts those candidates and keeps the ones whose normalised
plaintext equals the query's. Short indexes mean someone holding the database (but not the
keys) learns little from them: each index value is shared by several people.

Truncation does not hide frequency: a very common name still gives a crowded index value.

Sizing (after CipherSweet's planner): with R rows and blind indexes totalling B bits on the
table (each index counting min(its bits, log2 of its number of possible inputs)), a value's
index is shared by about C = R / 2**B rows by chance (its coincidences, the false positives
a search decrypts and discards). `plan_bits` keeps 2 <= C, so no index tuple is expected to
single a row out, and C <= max(2, sqrt(R)), so a search decrypts few rows; it recommends the
largest safe size (fewest false positives). 10,000 rows: 7-12 bits; 50,000 rows: 8-14 bits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from casework.crypto.normalise import (
    normalise_date,
    normalise_identity_number,
    normalise_name,
    normalise_phone,
    normalise_text,
)

__all__ = [
    "MAX_BITS",
    "BitsPlan",
    "BlindIndexer",
    "normalise_date",
    "normalise_identity_number",
    "normalise_name",
    "normalise_phone",
    "normalise_text",
    "plan_bits",
    "recommend_bits",
]

INFO_PREFIX = b"casework blind index v1|"
MAX_BITS = 32  # fits a BIGINT column (or INTEGER when bits <= 31)
KEY_BYTES = 32


class BlindIndexer:
    """Computes blind indexes under one index key, with a derived key per column."""

    def __init__(self, index_key: bytes) -> None:
        if len(index_key) != KEY_BYTES:
            raise ValueError("the index key must be 32 bytes")
        self._index_key = index_key
        self._column_keys: dict[str, bytes] = {}

    def __repr__(self) -> str:
        return "BlindIndexer(...)"

    def _column_key(self, column: str) -> bytes:
        key = self._column_keys.get(column)
        if key is None:
            hkdf = HKDF(
                algorithm=hashes.SHA256(),
                length=KEY_BYTES,
                salt=None,
                info=INFO_PREFIX + column.encode("utf-8"),
            )
            key = self._column_keys.setdefault(column, hkdf.derive(self._index_key))
        return key

    def index(self, column: str, normalised: str, bits: int) -> int:
        """The `bits`-bit blind index of an already normalised value, in [0, 2**bits)."""
        if not column:
            raise ValueError("a blind index needs a column name")
        if not 1 <= bits <= MAX_BITS:
            raise ValueError(f"bits must be between 1 and {MAX_BITS}")
        if not normalised:
            # Every empty value would share one index: store NULL instead.
            raise ValueError("an empty value has no blind index")
        mac = hmac.HMAC(self._column_key(column), hashes.SHA256())
        mac.update(normalised.encode("utf-8"))
        return int.from_bytes(mac.finalize()[:4], "big") >> (32 - bits)


@dataclass(frozen=True)
class BitsPlan:
    """A safe range of index sizes for one more blind index, and the size to use."""

    low: int
    high: int
    recommended: int


def _coincidences(rows: int, bits: int) -> float:
    return rows / 2.0**bits


def plan_bits(
    expected_rows: int, *, other_index_bits: int = 0, input_domain_bits: int | None = None
) -> BitsPlan:
    """Sizes for a new blind index on a table of `expected_rows` rows.

    `other_index_bits`: the sizes of the table's other blind indexes, added up (each capped
    at its input domain). `input_domain_bits`: log2 of the number of distinct inputs this
    index can see (e.g. 16 for dates of birth over a century), rounded up; None if large.
    ValueError if no size keeps at least 2 coincidences (too few rows for another index).
    """
    if expected_rows < 1 or other_index_bits < 0:
        raise ValueError("expected_rows must be positive and other_index_bits non-negative")
    domain = MAX_BITS if input_domain_bits is None else max(1, input_domain_bits)
    ceiling = max(2.0, math.sqrt(expected_rows))
    safe = [
        bits
        for bits in range(1, min(MAX_BITS, domain) + 1)
        if _coincidences(expected_rows, other_index_bits + bits) >= 2
    ]
    if not safe:
        raise ValueError("too few rows for another blind index: every size would single rows out")
    high = max(safe)
    cheap = [
        bits for bits in safe if _coincidences(expected_rows, other_index_bits + bits) <= ceiling
    ]
    low = min(cheap) if cheap else high
    return BitsPlan(low=low, high=high, recommended=high)


def recommend_bits(expected_rows: int, *, other_index_bits: int = 0) -> int:
    """The recommended size from `plan_bits`."""
    return plan_bits(expected_rows, other_index_bits=other_index_bits).recommended
