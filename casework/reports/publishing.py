"""Publishing a built report or a synthetic data set as a signed package, and the charts of
the regional release (row totals of each table, drawn with their intervals' tables beside)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from flask import current_app

from casework.auth.models import User
from casework.core import VERSION
from casework.core.locks import serialise
from casework.encryption import keys
from casework.reports.charts import BarChart, bar_chart
from casework.reports.disclosure import DIFFERENTIAL_PRIVACY
from casework.reports.exports import to_csv, to_json, to_xlsx
from casework.reports.ledger import Refused, budget_scope, spend_budget
from casework.reports.models import ReportPublication
from casework.reports.package import build_package
from casework.reports.publications import (
    REPORT,
    SYNTHETIC,
    publication_key,
    record_publication,
    stored_publication,
)
from casework.reports.request import Period
from casework.reports.service import (
    TableResult,
    document,
    labelled,
    protection_metadata,
    scope_label,
    scope_of,
)
from casework.reports.settings import counting_rule, victim_statuses
from casework.reports.synthetic import ATTRIBUTES, synthesise, synthetic_csv
from casework.reports.templates import TEMPLATES

CONTRACT = "docs/decisions/0031-release-package-for-regional-hubs.md"


def publish_report(
    user: User, period: Period, mode: str, results: Sequence[TableResult]
) -> ReportPublication:
    """The report's package, published once: built from its released tables and stored."""
    scope = scope_of(user)
    serialise(f"report-publication:{publication_key(REPORT, scope, period, mode)}")
    existing = stored_publication(REPORT, scope, period, mode)
    if existing is not None:
        return existing
    doc = document(results, user=user, period=period, mode=mode)
    files = {"report.csv": to_csv(doc), "report.xlsx": to_xlsx(doc), "report.json": to_json(doc)}
    metadata: dict[str, Any] = dict(doc.metadata)
    metadata["generated_at"] = doc.generated_at.isoformat()
    metadata["release_ids"] = [t.release_id for t in doc.tables]
    metadata["tables"] = protection_metadata(results)
    metadata["hub_contract"] = CONTRACT
    package = build_package(files, metadata, keys.keyring().signing_private_key())
    epsilons = [t["epsilon"] for t in metadata["tables"] if t["epsilon"]]
    return record_publication(
        REPORT,
        scope,
        period,
        mode,
        package,
        released_by=user.id,
        epsilon=sum(epsilons) if epsilons else None,
    )


def publish_synthetic(user: User, period: Period, today: date) -> ReportPublication:
    """Generate, sign and store the period's synthetic data set, once, spending its epsilon
    from the scope's budget for the period's year. `Refused` if it cannot be."""
    scope = scope_of(user)
    key = publication_key(SYNTHETIC, scope, period, DIFFERENTIAL_PRIVACY)
    serialise(f"report-publication:{key}")
    existing = stored_publication(SYNTHETIC, scope, period, DIFFERENTIAL_PRIVACY)
    if existing is not None:
        return existing
    if not period.completed(today):
        raise Refused(f"Only completed periods can be reported. {period.key} is not over yet.")
    settings = current_app.config
    epsilon = float(settings["REPORT_SYNTHETIC_EPSILON"])
    serialise(f"privacy-budget:{budget_scope(scope)}:{period.year}")
    spend_budget(period.year, epsilon, settings["REPORT_DP_BUDGET"], budget_scope(scope))
    result = synthesise(scope, period, epsilon)
    metadata: dict[str, Any] = {
        "report": "Synthetic data set (differential privacy)",
        "scope": scope_label(scope, user),
        "scope_code": scope.kind if scope.value is None else f"{scope.kind}:{scope.value}",
        "period": period.key,
        "mode": DIFFERENTIAL_PRIVACY,
        "epsilon": epsilon,
        "synthesiser": "MST (select-measure-generate): OpenDP measurements, private-pgm (mbi)",
        "attributes": list(ATTRIBUTES),
        "rows": result.rows,
        "measured_marginals": [list(c) for c in result.cliques],
        "counting_rule": counting_rule(),
        "victim_statuses": ", ".join(victim_statuses()),
        "software_version": f"Casework {VERSION}",
        "hub_contract": CONTRACT,
    }
    files = {
        "synthetic.csv": synthetic_csv(result),
        "about.json": (json.dumps(metadata, indent=2, sort_keys=True) + "\n").encode("utf-8"),
    }
    package = build_package(files, metadata, keys.keyring().signing_private_key())
    return record_publication(
        SYNTHETIC,
        scope,
        period,
        DIFFERENTIAL_PRIVACY,
        package,
        released_by=user.id,
        epsilon=epsilon,
    )


def charts_for(results: Sequence[TableResult]) -> dict[str, BarChart]:
    """A bar chart of each released table's row totals (its table is the alternative)."""
    charts = {}
    for result in results:
        table, published = labelled(result), result.published
        if (
            table is not None
            and published is not None
            and published.values
            and published.statistic == "count"
        ):
            order = "code" if TEMPLATES[result.template].ordinal else "count"
            charts[result.template] = bar_chart(published, table.row_labels, order=order)
    return charts
