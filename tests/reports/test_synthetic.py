"""The synthetic data set: MST over coded fields, measured with OpenDP, fitted by private-pgm."""

from __future__ import annotations

import csv
import io
import random
from datetime import date

import numpy as np
import pytest
from flask import Flask

from casework.reports import synthetic
from casework.reports.request import REGION, Period, Scope
from casework.reports.synthetic import (
    ATTRIBUTES,
    marginal_error,
    synthesise,
    synthetic_csv,
    true_marginals,
)
from tests.factories import make_agency
from tests.reports.factories import counted_case


def seed(people: int = 240) -> None:
    th = make_agency("TH police", country="TH")
    rng = random.Random(3)
    for _ in range(people):
        counted_case(
            th,
            citizenship=rng.choice(["KH", "KH", "MM", "LA", "VN"]),
            gender=rng.choice(["Feminine", "Feminine", "Masculine"]),
            age=rng.randrange(10, 50),
            identified_on=date(2026, 1 + rng.randrange(3), 1 + rng.randrange(28)),
            channel=rng.choice(["police", "hotline", "outreach"]),
        )


def test_synthetic_records_hold_coded_fields_only_and_follow_the_true_marginals(
    app: Flask,
) -> None:
    seed()
    scope, period = Scope(REGION), Period("2026-Q1")
    data = synthesise(scope, period, epsilon=2.0)
    assert 150 <= data.rows <= 330  # the noisy count of 240 people
    text = synthetic_csv(data).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == ATTRIBUTES
    domains = synthetic.attribute_domains(period)
    for row in rows[1:]:
        for attribute, code in zip(ATTRIBUTES, row, strict=True):
            assert code in domains[attribute]  # codes only: no name, text, id or date
    assert {row[0] for row in rows[1:]} <= {"2026-01", "2026-02", "2026-03"}
    # A tree of d-1 two-way marginals was measured besides every one-way marginal.
    assert len(data.cliques) == 2 * len(ATTRIBUTES) - 1
    marginals = true_marginals(scope, period)
    one_way = marginal_error(data, marginals, 1)
    assert one_way < 0.2
    assert marginal_error(data, marginals, 2) < 0.4


def test_true_marginals_are_counted_by_the_database(app: Flask) -> None:
    seed(40)
    marginals = true_marginals(Scope(REGION), Period("2026-Q1"))
    gender = marginals(("gender",))
    assert int(gender.sum()) == 40
    pair = marginals(("gender", "citizenship"))
    assert int(pair.sum()) == 40
    assert np.array_equal(
        pair.reshape(len(synthetic.attribute_domains(Period("2026-Q1"))["gender"]), -1).sum(1),
        gender,
    )


def test_an_empty_population_gives_an_empty_file_or_a_few_made_up_records(app: Flask) -> None:
    data = synthesise(Scope(REGION), Period("2026-Q1"), epsilon=1.0)
    assert data.rows < 200  # noise alone (a few dozen records): no real person behind any
    assert synthetic_csv(data).decode().splitlines()[0] == ",".join(ATTRIBUTES)


@pytest.mark.parametrize("epsilon", [0.0, -1.0])
def test_epsilon_must_be_positive(app: Flask, epsilon: float) -> None:
    from casework.reports.dp import PrivacyError

    with pytest.raises(PrivacyError):
        synthesise(Scope(REGION), Period("2026-Q1"), epsilon=epsilon)
