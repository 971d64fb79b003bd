"""Differential privacy for recurring regional releases, with OpenDP (no hand-written noise).

A table's inner cells get discrete Laplace noise from OpenDP's `make_laplace` over integer
vectors with the L1 distance: one person added or removed changes at most `sensitivity`
cells by one (the person-level count keeps each person in at most that many cells), so the
scale is found by OpenDP's binary search for the epsilon asked. The noisy cells are then
made non-negative integers with the noisy column sums kept (`nonnegative_with_sum`), and the
margins are the sums of those cells: post-processing, which spends no budget.
The noise comes from OpenDP's own secure sampler; a release is stored in the ledger and a
repeated request returns it, so the same figures are never drawn twice.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import opendp.prelude as dp

dp.enable_features("contrib")  # discrete Laplace on vectors lives in OpenDP's contrib set


def _SPACE() -> tuple[dp.Domain, dp.Metric]:
    return dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)


class PrivacyError(ValueError):
    """A differentially private release cannot be made as asked."""


def laplace_measurement(epsilon: float, sensitivity: int) -> dp.Measurement:
    """OpenDP's discrete Laplace mechanism for count vectors, calibrated to `epsilon`."""
    if not epsilon > 0:
        raise PrivacyError("epsilon must be positive")
    if sensitivity < 1:
        raise PrivacyError("sensitivity must be at least 1")
    measurement = dp.m.make_laplace(*_SPACE(), scale=noise_scale(epsilon, sensitivity))
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


def noisy_vector(values: Sequence[int], epsilon: float, sensitivity: int) -> list[int]:
    """`values` with OpenDP's discrete Laplace noise for `epsilon` (not clamped)."""
    if not values:
        return []
    return [int(v) for v in laplace_measurement(epsilon, sensitivity)([int(v) for v in values])]


@functools.lru_cache(maxsize=256)
def noise_scale(epsilon: float, sensitivity: int) -> float:
    """The smallest discrete Laplace scale whose privacy map OpenDP proves within `epsilon`
    for `sensitivity` (OpenDP's binary search over the scale)."""
    if not epsilon > 0:
        raise PrivacyError("epsilon must be positive")
    if sensitivity < 1:
        raise PrivacyError("sensitivity must be at least 1")
    return float(
        dp.binary_search_param(
            lambda scale: dp.m.make_laplace(*_SPACE(), scale=scale),
            d_in=sensitivity,
            d_out=epsilon,
        )
    )


def accuracy(scale: float, alpha: float = 0.05) -> float:
    """Half-width of the interval the noise of one cell stays within with probability
    1 - alpha (OpenDP's accuracy for the discrete Laplace)."""
    return float(dp.discrete_laplacian_scale_to_accuracy(scale, alpha))


def variance(scale: float) -> float:
    """Variance of discrete Laplace noise of this scale: 2q / (1 - q)^2, q = exp(-1/scale)."""
    q = math.exp(-1.0 / scale)
    return 2.0 * q / (1.0 - q) ** 2


def sum_accuracy(scale: float, cells: int, z: float = 1.959964) -> float:
    """Half-width of a 95% interval for a sum of `cells` noisy cells (normal approximation
    of the sum of independent noises, never narrower than one cell's exact interval)."""
    return max(accuracy(scale), z * math.sqrt(cells * variance(scale)))


def nonnegative_with_sum(noisy: Sequence[int]) -> list[int]:
    """Post-processing (no budget): the non-negative integers closest (least squares) to
    `noisy` whose sum is the noisy sum, clamped at 0.

    Clamping each cell at 0 would bias every total upwards (each empty cell adds half its
    noise); projecting onto {x >= 0, sum x = max(0, sum noisy)} keeps totals unbiased. The
    projection is x = max(0, y - lam) with lam found by sorting; the fractions are then
    rounded so that the sum is kept (largest remainders first, ties by position)."""
    values = [float(v) for v in noisy]
    if not values:
        return []
    target = max(0, round(sum(values)))
    if target == 0:
        return [0 for _ in values]
    ordered = sorted(values, reverse=True)
    running, lam = 0.0, 0.0
    for i, value in enumerate(ordered, start=1):
        running += value
        candidate = (running - target) / i
        if value - candidate > 0:
            lam = candidate
    projected = [max(0.0, v - lam) for v in values]
    floors = [math.floor(v) for v in projected]
    short = target - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (-(projected[i] - floors[i]), i))
    for i in order[: max(0, short)]:
        floors[i] += 1
    return floors
