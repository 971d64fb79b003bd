"""A differentially private synthetic data set over coded fields: MST, built from existing
parts (McKenna, Miklau and Sheldon, "Winning the NIST contest", 2021).

MST selects a tree of two-way marginals, measures them with noise and fits a graphical
model to the noisy measurements, from which records are drawn. Here every measurement and
the selection are OpenDP mechanisms (discrete Laplace over count vectors, `make_noisy_max`
for the selection), the model is fitted and sampled by private-pgm (`mbi`, its authors'
library). smartnoise-synth's MST could not be used: it pins opendp below 0.15 and the
project is on 0.16 (docs/decisions/0032).

* Attributes: coded fields only, month of identification at the finest (see ATTRIBUTES); no
  free text, no identifier, no date. A multi-valued fact contributes its first code in code
  order. Countries use the deployment's list (others "Other countries").
* The true marginals are counted by the database (one GROUP BY per attribute pair): no row
  about a person is loaded. Each person is one record (one case).
* Privacy: epsilon is split in thirds. One-way marginals: L1 sensitivity d (one cell of
  each of the d marginals). Selection: d-1 rounds of report-noisy-max over the pairs that
  join two parts of the tree, each score (the L1 error of the independence estimate, which
  one person moves by at most 1) with epsilon/3/(d-1). Two-way marginals of the tree: L1
  sensitivity d-1. The sum is epsilon by sequential composition; the model, the records and
  the noisy total are post-processing.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import opendp.prelude as opendp
from sqlalchemy import case, func, literal, select

from casework.cases.models import Case, CaseCode, TraffickingEvent
from casework.core.extensions import db
from casework.reports import dp
from casework.reports.definitions import (
    UNITS,
    UNKNOWN,
    country_code,
    country_codes,
    first_citizenship,
)
from casework.reports.request import Period, ReportRequest, Scope
from casework.vocab import (
    AGE_BANDS,
    EXPLOITATION_EVENT,
    EXPLOITATION_TYPES,
    GENDERS,
    IDENTIFICATION_CHANNELS,
    RECRUITMENT_METHODS,
    TRAFFICKER_RELATIONSHIPS,
)

os.environ.setdefault("JAX_PLATFORMS", "cpu")  # no accelerator probing on a server

ATTRIBUTES = (
    "month",
    "citizenship",
    "gender",
    "age_band",
    "exploitation_type",
    "exploitation_country",
    "identification_channel",
    "trafficker_relationship",
    "recruitment",
)
ESTIMATION_ITERATIONS = 400


def _first_code(vocabulary: str) -> Any:
    return func.coalesce(
        select(func.min(CaseCode.code))
        .where(CaseCode.case_id == Case.id, CaseCode.vocabulary == vocabulary)
        .scalar_subquery(),
        UNKNOWN,
    )


def _first_exploitation_country() -> Any:
    first = (
        select(func.min(TraffickingEvent.country))
        .where(TraffickingEvent.case_id == Case.id, TraffickingEvent.kind == EXPLOITATION_EVENT)
        .scalar_subquery()
    )
    return country_code(first)


def _with_unknown(codes: tuple[str, ...]) -> tuple[str, ...]:
    return (*codes, UNKNOWN)


def attribute_domains(period: Period) -> dict[str, tuple[str, ...]]:
    """Each attribute's codes: fixed by the vocabularies and the period, never the data."""
    months = tuple(p.key for p in _months(period))
    return {
        "month": months,
        "citizenship": country_codes(),
        "gender": _with_unknown(GENDERS.codes),
        "age_band": _with_unknown(AGE_BANDS.codes),
        "exploitation_type": _with_unknown(EXPLOITATION_TYPES.codes),
        "exploitation_country": country_codes(),
        "identification_channel": _with_unknown(IDENTIFICATION_CHANNELS.codes),
        "trafficker_relationship": _with_unknown(TRAFFICKER_RELATIONSHIPS.codes),
        "recruitment": _with_unknown(RECRUITMENT_METHODS.codes),
    }


def _months(period: Period) -> tuple[Period, ...]:
    parts = period.parts()
    if period.kind == "year":
        return tuple(m for q in parts for m in q.parts())
    return parts


def _expressions(period: Period) -> dict[str, Any]:
    return {
        "month": _month_of(period),
        "citizenship": country_code(first_citizenship()),
        "gender": func.coalesce(Case.gender, UNKNOWN),
        "age_band": func.coalesce(Case.age_band, UNKNOWN),
        "exploitation_type": _first_code("exploitation_type"),
        "exploitation_country": _first_exploitation_country(),
        "identification_channel": func.coalesce(Case.identification_channel, UNKNOWN),
        "trafficker_relationship": func.coalesce(Case.trafficker_relationship, UNKNOWN),
        "recruitment": _first_code("recruitment_method"),
    }


def _month_of(period: Period) -> Any:
    """The month of identification, as a period key."""
    unit = UNITS["cases"]
    return case(
        *[(unit.in_period(m), literal(m.key)) for m in _months(period)], else_=literal(UNKNOWN)
    )


Marginal = Callable[[tuple[str, ...]], np.ndarray]


def true_marginals(scope: Scope, period: Period) -> Marginal:
    """A function giving the true count vector of a marginal (attributes in ATTRIBUTES
    order), counted by the database over the population the report tables count."""
    request = ReportRequest("victims_by_gender", "cases", scope, period, "dp")
    population = UNITS["cases"].population(request)
    expressions = _expressions(period)
    domains = attribute_domains(period)

    def marginal(clique: tuple[str, ...]) -> np.ndarray:
        columns = [expressions[a].label(a) for a in clique]
        rows = db.session.execute(
            select(*columns, func.count()).select_from(Case).where(population).group_by(*columns)
        ).all()
        shape = tuple(len(domains[a]) for a in clique)
        counts = np.zeros(shape, dtype=np.int64)
        index = [{code: i for i, code in enumerate(domains[a])} for a in clique]
        for row in rows:
            position = []
            for i, code in enumerate(row[:-1]):
                position.append(index[i].get(str(code), len(domains[clique[i]]) - 1))
            counts[tuple(position)] += int(row[-1])
        return counts.ravel()

    return marginal


@dataclass(frozen=True)
class SyntheticData:
    domains: dict[str, tuple[str, ...]]
    columns: dict[str, np.ndarray]  # attribute -> code index per record
    cliques: tuple[tuple[str, ...], ...]  # the marginals measured

    @property
    def rows(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0


def _select_tree(
    noisy_one_way: dict[str, np.ndarray],
    marginal: Marginal,
    domains: dict[str, tuple[str, ...]],
    epsilon_round: float,
) -> list[tuple[str, str]]:
    """MST's selection: d-1 rounds of OpenDP's report-noisy-max over the pairs that join
    two components, scored by the L1 error of the independence estimate."""
    attributes = list(domains)
    total = max(1.0, float(sum(np.clip(noisy_one_way[attributes[0]], 0, None))))
    probabilities = {
        a: np.clip(noisy_one_way[a], 0, None)
        / max(1.0, float(np.clip(noisy_one_way[a], 0, None).sum()))
        for a in attributes
    }
    scores: dict[tuple[str, str], float] = {}
    for a, b in itertools.combinations(attributes, 2):
        estimate = total * np.outer(probabilities[a], probabilities[b]).ravel()
        scores[(a, b)] = float(np.abs(marginal((a, b)) - estimate).sum())
    space = (
        opendp.vector_domain(opendp.atom_domain(T=float, nan=False)),
        opendp.linf_distance(T=float),
    )
    scale = opendp.binary_search_param(
        lambda s: opendp.m.make_noisy_max(*space, opendp.max_divergence(), scale=s),
        d_in=1.0,
        d_out=epsilon_round,
    )
    selector = opendp.m.make_noisy_max(*space, opendp.max_divergence(), scale=scale)
    component = {a: a for a in attributes}

    def root(a: str) -> str:
        while component[a] != a:
            a = component[a]
        return a

    chosen: list[tuple[str, str]] = []
    for _ in range(len(attributes) - 1):
        candidates = [pair for pair in scores if root(pair[0]) != root(pair[1])]
        index = int(selector([scores[pair] for pair in candidates]))
        a, b = candidates[index]
        component[root(a)] = root(b)
        chosen.append((a, b))
    return chosen


def synthesise(
    scope: Scope, period: Period, epsilon: float, seed: int | None = None
) -> SyntheticData:
    """MST over the scope's and period's population (see the module docstring)."""
    import jax

    jax.config.update("jax_enable_x64", True)  # type: ignore[no-untyped-call]
    jax.config.update("jax_enable_compilation_cache", False)  # type: ignore[no-untyped-call]
    import mbi
    from mbi.estimation import MirrorDescent, minimum_variance_unbiased_total

    domains = attribute_domains(period)
    attributes = list(domains)
    marginal = true_marginals(scope, period)
    third = epsilon / 3
    d = len(attributes)
    one_way_true = [marginal((a,)) for a in attributes]
    one_way_noisy = dp.noisy_vector(np.concatenate(one_way_true).tolist(), third, d)
    one_way_scale = dp.noise_scale(third, d)
    noisy_one_way, offset = {}, 0
    for a, true in zip(attributes, one_way_true, strict=True):
        noisy_one_way[a] = np.array(one_way_noisy[offset : offset + len(true)], dtype=float)
        offset += len(true)
    tree = _select_tree(noisy_one_way, marginal, domains, third / (d - 1))
    two_way_true = [marginal(pair) for pair in tree]
    two_way_noisy = dp.noisy_vector(np.concatenate(two_way_true).tolist(), third, d - 1)
    two_way_scale = dp.noise_scale(third, d - 1)
    measurements = [
        mbi.LinearMeasurement(noisy_one_way[a], (a,), float(np.sqrt(dp.variance(one_way_scale))))
        for a in attributes
    ]
    offset = 0
    for pair, true in zip(tree, two_way_true, strict=True):
        values = np.array(two_way_noisy[offset : offset + len(true)], dtype=float)
        offset += len(true)
        measurements.append(
            mbi.LinearMeasurement(values, pair, float(np.sqrt(dp.variance(two_way_scale))))
        )
    domain = mbi.Domain(attributes, [len(domains[a]) for a in attributes])
    # The population's size, from the one-way measurements weighted by their precision
    # (private-pgm's minimum-variance estimate): post-processing.
    total = max(0.0, float(minimum_variance_unbiased_total(measurements[: len(attributes)])))
    if total < 1:
        empty = {a: np.zeros(0, dtype=np.int64) for a in attributes}
        return SyntheticData(domains, empty, tuple((a,) for a in attributes) + tuple(tree))
    model = MirrorDescent().estimate(
        domain, measurements, known_total=total, iters=ESTIMATION_ITERATIONS
    )
    # The model's own randomised rounding of its marginals into records (numpy; the
    # JIT-compiled generator of mbi.extensions costs tens of seconds of compiling per call).
    records = model.synthetic_data(round(total))
    columns = {a: np.asarray(records.data[a], dtype=np.int64) for a in attributes}
    cliques = tuple((a,) for a in attributes) + tuple(tree)
    return SyntheticData(domains, columns, cliques)


def synthetic_csv(data: SyntheticData) -> bytes:
    """The records as CSV of codes (one column per attribute), sorted by their codes so
    the file's order says nothing about how the records were drawn."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    attributes = list(data.domains)
    writer.writerow(attributes)
    rows = sorted(
        tuple(data.domains[a][int(data.columns[a][i])] for a in attributes)
        for i in range(data.rows)
    )
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def marginal_error(data: SyntheticData, marginal: Marginal, order: int) -> float:
    """The mean total variation distance between the synthetic and the true marginals of
    every `order`-way combination of attributes (0: identical, 1: disjoint)."""
    attributes = list(data.domains)
    errors = []
    for clique in itertools.combinations(attributes, order):
        true = marginal(clique).astype(float)
        shape = tuple(len(data.domains[a]) for a in clique)
        synthetic = np.zeros(int(np.prod(shape)), dtype=float)
        if data.rows:
            flat = np.ravel_multi_index(tuple(data.columns[a] for a in clique), shape)
            synthetic = np.bincount(flat, minlength=synthetic.size).astype(float)
        p = true / max(1.0, true.sum())
        q = synthetic / max(1.0, synthetic.sum())
        errors.append(0.5 * float(np.abs(p - q).sum()))
    return float(np.mean(errors))


__all__ = [
    "ATTRIBUTES",
    "SyntheticData",
    "marginal_error",
    "synthesise",
    "synthetic_csv",
    "true_marginals",
]
