"""Statistics on a seeded database: what the protection costs in utility, and the ledger.

    export DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/casework_stats_20k
    export CASEWORK_INSTANCE_DIR=<the folder whose keys.json seeded it>
    .venv/bin/flask --app wsgi db upgrade && .venv/bin/flask --app wsgi seed --cases 20000
    .venv/bin/python benchmarks/stats_bench.py utility [--year 2025]
    .venv/bin/python benchmarks/stats_bench.py dp [--period 2025-Q3] [--draws 5]
    .venv/bin/python benchmarks/stats_bench.py synthetic [--period 2025-Q3]
    .venv/bin/python benchmarks/stats_bench.py ledger [--releases 1000]

utility: every count template released with suppression and rounding, as the application
    releases them (the same `count_table`, `dominated_cells` and `protect` with the audit
    against the tables of the same people released before), for each country by quarter and
    by month of one year, and the region by quarter; per template and period kind, the share
    of non-zero cells hidden and the share of people in them. Nothing is written.
dp: the regional release's tables (differential privacy at the default epsilon, shared by
    the release's tables), region and each country, one quarter: mean absolute error per
    cell against the true person-level counts, mean 95% interval half-width, error of the
    total. Nothing is written.
synthetic: the synthetic data set of one quarter (region, default epsilon and 1.0): mean
    total variation distance of its one-, two- and three-way marginals from the true ones.
ledger: 1,000 releases written (in a transaction rolled back at the end), then the check a
    new request goes through (overlap rule, and the population's earlier tables for the
    audit), median of 25 runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

import casework.cases  # noqa: F401 - loads the packages in the order create_app does
from casework import create_app
from casework.agencies.models import Agency
from casework.core.extensions import db
from casework.encryption import keys
from casework.reports.disclosure import (
    DIFFERENTIAL_PRIVACY,
    STANDARD,
    PublishedTable,
    protect,
)
from casework.reports.ledger import (
    check_overlap,
    record_release,
    released_for_population,
)
from casework.reports.queries import count_table, counts_and_dominated_cells
from casework.reports.request import COUNTRY, REGION, Period, ReportRequest, Scope
from casework.reports.rounding import derive_rounding_key
from casework.reports.service import shared_templates, shares_population_margins
from casework.reports.templates import COUNT, DP_REPORT, QUARTERLY_REPORT, TEMPLATES


def countries() -> list[str]:
    return sorted(set(db.session.scalars(select(Agency.country))))


def suppressed(scope: Scope, period: Period, settings: dict[str, Any]) -> dict[str, tuple]:
    """Each count template released for one population as the application does: returns
    template -> (non-zero inner cells, of them hidden, people, of them in hidden cells)."""
    key = derive_rounding_key(keys.keyring())
    k, base = settings["REPORT_K"], settings["REPORT_ROUNDING_BASE"]
    earlier: list[PublishedTable] = []
    out = {}
    for code in QUARTERLY_REPORT:
        template = TEMPLATES[code]
        if template.statistic != COUNT:
            continue
        request = ReportRequest(code, template.unit, scope, period, STANDARD)
        table, dominated, known = counts_and_dominated_cells(request, k)
        shared = shares_population_margins(code)
        published = protect(
            table,
            k=k,
            rounding_base=base,
            rounding_key=key,
            rounding_context=(template.unit, scope.kind, scope.value or "", period.key, "bench"),
            shared_margins=shared,
            sensitive=dominated,
            known_to=known,
            linked=[p for p in earlier if p.values] if shared else (),
        )
        if shared:
            earlier.append(published)
        cells = hidden = people = hidden_people = 0
        for r, row in enumerate(table.counts):
            for c, value in enumerate(row):
                if value <= 0:
                    continue
                cells += 1
                people += value
                if not published.values or published.values[r][c] is None:
                    hidden += 1
                    hidden_people += value
        out[code] = (cells, hidden, people, hidden_people)
    return out


def utility(args: argparse.Namespace, settings: dict[str, Any]) -> None:
    year = args.year
    quarters = [Period(f"{year}-Q{q}") for q in range(1, 5)]
    months = [Period(f"{year}-{m:02d}") for m in range(1, 13)]
    runs = [("country-quarter", Scope(COUNTRY, c), p) for c in countries() for p in quarters]
    if not args.quarters_only:
        runs += [("country-month", Scope(COUNTRY, c), p) for c in countries() for p in months]
    runs += [("region-quarter", Scope(REGION), p) for p in quarters]
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    began = time.perf_counter()
    for kind, scope, period in runs:
        for code, numbers in suppressed(scope, period, settings).items():
            sums = totals[(kind, code)]
            for i, n in enumerate(numbers):
                sums[i] += n
    print(f"{len(runs)} populations in {time.perf_counter() - began:.0f} s")
    print("| template | country-quarter: cells / people hidden | country-month | region-quarter |")
    print("| --- | --- | --- | --- |")
    codes = sorted({code for _, code in totals}, key=list(QUARTERLY_REPORT).index)
    for code in codes:
        parts = []
        for kind in ("country-quarter", "country-month", "region-quarter"):
            cells, hidden, people, hidden_people = totals[(kind, code)]
            parts.append(
                f"{100 * hidden / max(1, cells):.0f}% / {100 * hidden_people / max(1, people):.0f}%"
            )
        print(f"| {code} | " + " | ".join(parts) + " |")


def dp_error(args: argparse.Namespace, settings: dict[str, Any]) -> None:
    period = Period(args.period)
    share = settings["REPORT_DP_EPSILON"] / len(DP_REPORT)
    print(f"epsilon per release {settings['REPORT_DP_EPSILON']}, per table {share:.3f}")
    print(
        "| table | scope | mean abs. error per cell | mean 95% half-width | total: true / error |"
    )
    print("| --- | --- | --- | --- | --- |")
    scopes = [Scope(REGION)] + [Scope(COUNTRY, c) for c in countries()[:2]]
    for code in DP_REPORT:
        template = TEMPLATES[code]
        for scope in scopes:
            request = ReportRequest(code, template.unit, scope, period, DIFFERENTIAL_PRIVACY)
            true = count_table(request, people_bound=template.sensitivity)
            errors, widths, total_errors = [], [], []
            for _ in range(args.draws):
                published = protect(
                    true,
                    k=settings["REPORT_K"],
                    rounding_base=5,
                    rounding_key=b"-" * 32,
                    mode=DIFFERENTIAL_PRIVACY,
                    epsilon=share,
                    sensitivity=template.sensitivity or 1,
                )
                rows, columns = len(true.row_codes), len(true.column_codes)
                for r in range(rows):
                    for c in range(columns):
                        value = published.values[r][c]
                        errors.append(abs((value or 0) - true.counts[r][c]))
                        interval = published.intervals[r][c]  # type: ignore[index]
                        widths.append((interval[1] - interval[0]) / 2)  # type: ignore[index]
                grand = published.values[-1][-1] or 0
                total_errors.append(abs(grand - true.population))
            where = scope.value or "region"
            print(
                f"| {code} | {where} | {statistics.mean(errors):.1f} | "
                f"{statistics.mean(widths):.1f} | {true.population} / "
                f"{statistics.mean(total_errors):.0f} |"
            )


def synthetic(args: argparse.Namespace, settings: dict[str, Any]) -> None:
    from casework.reports.synthetic import marginal_error, synthesise, true_marginals

    period, scope = Period(args.period), Scope(REGION)
    marginals = true_marginals(scope, period)
    print("| epsilon | records (true people) | 1-way TVD | 2-way TVD | 3-way TVD | seconds |")
    print("| --- | --- | --- | --- | --- | --- |")
    people = int(marginals(("gender",)).sum())
    for epsilon in (settings["REPORT_SYNTHETIC_EPSILON"], 1.0, 4.0):
        began = time.perf_counter()
        data = synthesise(scope, period, epsilon)
        seconds = time.perf_counter() - began
        errors = [marginal_error(data, marginals, order) for order in (1, 2, 3)]
        print(
            f"| {epsilon} | {data.rows} ({people}) | {errors[0]:.3f} | {errors[1]:.3f} | "
            f"{errors[2]:.3f} | {seconds:.0f} |"
        )


def ledger(args: argparse.Namespace, settings: dict[str, Any]) -> None:
    codes = [c for c in QUARTERLY_REPORT if TEMPLATES[c].statistic == COUNT]
    scopes = [Scope(REGION)] + [Scope(COUNTRY, c) for c in countries()]
    blank = PublishedTable("x", STANDARD, ("a",), ("b",), ((None,),), 10, 5, None, 1)
    made = 0
    year = 2000
    while made < args.releases:
        for quarter in range(1, 5):
            for scope in scopes:
                for code in codes:
                    if made >= args.releases:
                        break
                    request = ReportRequest(
                        code, TEMPLATES[code].unit, scope, Period(f"{year}-Q{quarter}"), STANDARD
                    )
                    record_release(request, blank, released_by=None, software_version="bench")
                    made += 1
        year += 1
    # A new request in the year with the most releases: the overlap rule, then the audit's
    # earlier tables of its population.
    request = ReportRequest(
        "victims_by_gender", "cases", Scope(COUNTRY, countries()[0]), Period("2000-Q2"), STANDARD
    )
    fresh = ReportRequest(
        "victims_by_gender", "cases", Scope(COUNTRY, countries()[0]), Period("2099-Q2"), STANDARD
    )
    timings = []
    for _ in range(25):
        began = time.perf_counter()
        check_overlap(fresh)
        released_for_population(request, shared_templates())
        timings.append(time.perf_counter() - began)
    refusals = 0
    try:
        check_overlap(
            ReportRequest("victims_by_gender", "cases", Scope(REGION), Period("2000"), STANDARD)
        )
    except Exception:
        refusals += 1
    db.session.rollback()
    print(
        f"{made} earlier releases; ledger check median {1000 * statistics.median(timings):.1f} ms "
        f"(max {1000 * max(timings):.1f} ms; goal < 1 s); overlapping year refused: {refusals == 1}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    utility_parser = sub.add_parser("utility")
    utility_parser.add_argument("--year", type=int, default=2025)
    utility_parser.add_argument("--quarters-only", action="store_true", help="No months.")
    dp_parser = sub.add_parser("dp")
    dp_parser.add_argument("--period", default="2025-Q3")
    dp_parser.add_argument("--draws", type=int, default=5)
    sub.add_parser("synthetic").add_argument("--period", default="2025-Q3")
    sub.add_parser("ledger").add_argument("--releases", type=int, default=1000)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        settings = dict(app.config)
        {"utility": utility, "dp": dp_error, "synthetic": synthetic, "ledger": ledger}[
            args.command
        ](args, settings)


if __name__ == "__main__":
    main()
