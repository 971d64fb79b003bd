"""Differential privacy for recurring regional releases, with OpenDP (no hand-written noise).

A table's inner cells get discrete Laplace noise from OpenDP's `make_laplace` over integer
vectors with the L1 distance: one person added or removed changes at most `sensitivity`
cells by one (1 when each person falls in exactly one cell), so the scale is found by
OpenDP's binary search for the epsilon asked. Negative noisy counts become 0, and the
margins are the sums of the noisy cells: both are post-processing, which spends no budget.
The noise comes from OpenDP's own secure sampler; a release is stored in the ledger and a
repeated request returns it, so the same figures are never drawn twice.
"""

from __future__ import annotations

from collections.abc import Sequence

import opendp.prelude as dp

dp.enable_features("contrib")  # discrete Laplace on vectors lives in OpenDP's contrib set


class PrivacyError(ValueError):
    """A differentially private release cannot be made as asked."""


def laplace_measurement(epsilon: float, sensitivity: int) -> dp.Measurement:
    """OpenDP's discrete Laplace mechanism for count vectors, calibrated to `epsilon`."""
    if not epsilon > 0:
        raise PrivacyError("epsilon must be positive")
    if sensitivity < 1:
        raise PrivacyError("sensitivity must be at least 1")
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    measurement = dp.binary_search_chain(
        lambda scale: dp.m.make_laplace(*space, scale=scale), d_in=sensitivity, d_out=epsilon
    )
    # OpenDP's own privacy map is the proof that this release costs at most `epsilon`.
    if measurement.map(sensitivity) > epsilon:  # type: ignore[no-untyped-call]
        raise PrivacyError("OpenDP could not calibrate the noise to this epsilon")
    return measurement


def noisy_counts(
    counts: Sequence[Sequence[int]], epsilon: float, sensitivity: int = 1
) -> list[list[int]]:
    """The inner cells of a table with noise for `epsilon`, clamped at zero."""
    width = len(counts[0]) if counts else 0
    flat = [int(v) for row in counts for v in row]
    if not flat:
        return []
    released = laplace_measurement(epsilon, sensitivity)(flat)
    clamped = [max(0, int(v)) for v in released]
    return [clamped[i : i + width] for i in range(0, len(clamped), width)]
