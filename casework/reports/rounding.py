"""Deterministic random rounding of published counts, seeded by a keyed hash.

Each published count is rounded to a multiple of the base, up or down at random with the
probability that keeps it unbiased (12 with base 5 becomes 10 with probability 3/5, 15 with
probability 2/5), as Statistics New Zealand's random rounding does. The coin is not random at
run time: it is HMAC-SHA256 under a key derived from the keyring, over the release's context
(scope, period and a snapshot of the population it counted), the template, the cell and the
cell's true count. So:

* the same request always gives the same figures (the ledger also stores them);
* a change of one person changes the population's snapshot, so every figure of a later
  release of that population is drawn afresh, not only that person's cells: comparing two
  releases does not point at the cells that moved;
* a margin every template of a population shares (a month's total of people) is keyed by
  the population, not the template, so every template shows the same figure for it and
  several templates cannot be averaged;
* without the key, nobody can tell which way a cell was rounded.

A published count is 0 or at least k; rounding never brings it below k (it rounds up there).
"""

from __future__ import annotations

import hashlib
import hmac
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from casework.crypto import Keyring

ROUNDING_KEY_INFO = b"casework/reports/rounding-key/v1"


def derive_rounding_key(keyring: Keyring) -> bytes:
    """The rounding key: HKDF-SHA256 from the keyring's signing key, never stored.

    The signing key is the one key no rotation replaces, so rounding stays stable when key-
    encryption or index keys rotate (a change would let a re-run be averaged)."""
    raw = keyring.signing_private_key().private_bytes_raw()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=ROUNDING_KEY_INFO).derive(raw)


def coin(
    key: bytes,
    template: str,
    cell: tuple[str, str],
    true_value: int,
    context: tuple[str, ...] = (),
) -> float:
    """A number in [0, 1), fixed by the key, the context (scope, period, snapshot), the
    template (or "_population" for a shared margin), the cell and its true count."""
    message = json.dumps([*context, template, cell[0], cell[1], true_value], separators=(",", ":"))
    digest = hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def round_count(value: int, base: int, k: int, draw: float) -> int:
    """Round `value` (0 or >= k) to a multiple of `base`, up with probability
    (value mod base) / base, using `draw` in [0, 1) as the coin."""
    if value < 0:
        raise ValueError("counts cannot be negative")
    if base <= 1 or value % base == 0:
        return value
    lower = value - value % base
    upper = lower + base
    rounded = upper if draw < (value - lower) / base else lower
    if 0 < rounded < k or (rounded == 0 and value >= k):
        return upper
    return rounded
