"""Building a report: scope of the person asking, a release per table, labelled output."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext

from casework.auth.models import User
from casework.core import VERSION
from casework.core.extensions import db
from casework.policy import Role
from casework.reports.disclosure import (
    DIFFERENTIAL_PRIVACY,
    TOTAL,
    CountTable,
    PublishedTable,
)
from casework.reports.exports import LabelledTable, ReportDocument
from casework.reports.ledger import (
    Refused,
    budget_scope,
    released_for_population,
    spend_budget,
    stored_release,
)
from casework.reports.models import CoordinatorScope, ReportRelease
from casework.reports.notes import NOTE_COUNTING, NOTE_STATUSES, note_text
from casework.reports.operations import release_table
from casework.reports.queries import (
    Grid,
    count_table,
    counts_and_dominated_cells,
    median_table,
    population_snapshot,
)
from casework.reports.request import AGENCY, COUNTRY, REGION, Period, ReportRequest, Scope
from casework.reports.settings import counting_rule, listed_countries, victim_statuses
from casework.reports.suppression import Position
from casework.reports.templates import COUNT, DP_REPORT, MEDIAN, QUARTERLY_REPORT, TEMPLATES
from casework.vocab import country_name


def _(message: str, **variables: Any) -> str:
    return str(gettext(message, **variables))


def scope_of(user: User) -> Scope:
    """A supervisor reports on their agency; a coordinator on the country or region set for
    them (by default their agency's country)."""
    if user.role == Role.SUPERVISOR:
        return Scope(AGENCY, str(user.agency_id))
    setting = db.session.get(CoordinatorScope, user.id)
    if setting is None:
        return Scope(COUNTRY, user.agency.country)
    return Scope(REGION) if setting.country is None else Scope(COUNTRY, setting.country)


def scope_label(scope: Scope, user: User) -> str:
    if scope.kind == AGENCY:
        return _("Agency: %(name)s", name=user.agency.name)
    if scope.kind == COUNTRY:
        return _("Country: %(name)s", name=country_name(scope.value or ""))
    return _("The region (all countries)")


@dataclass(frozen=True)
class TableResult:
    template: str
    release: ReportRelease | None
    refusal: str | None

    @property
    def published(self) -> PublishedTable | None:
        return PublishedTable.from_dict(self.release.published) if self.release else None


def report_templates(mode: str) -> tuple[str, ...]:
    """The tables of a report: the regional release's with differential privacy, else all."""
    return DP_REPORT if mode == DIFFERENTIAL_PRIVACY else QUARTERLY_REPORT


def shares_population_margins(code: str) -> bool:
    """A one-way table with one cell per counted unit: its column totals are the
    population's, the same in every such template."""
    template = TEMPLATES[code]
    return (
        template.statistic == COUNT
        and template.column is None
        and not template.distinct
        and not template.counts_people
        and template.extra is None
    )


def dp_capable(code: str) -> bool:
    template = TEMPLATES[code]
    return template.statistic == COUNT and template.sensitivity is not None


def shared_templates() -> tuple[str, ...]:
    return tuple(code for code in TEMPLATES if shares_population_margins(code))


def release_notes(code: str) -> tuple[str, ...]:
    """What a table counted, recorded with it (the settings may change later)."""
    notes = [NOTE_COUNTING + counting_rule()]
    if TEMPLATES[code].unit in ("cases", "cases_served"):
        notes.append(NOTE_STATUSES + ",".join(victim_statuses()))
    return tuple(notes)


def build_report(
    user: User, period: Period, templates: Sequence[str], mode: str, today: date
) -> list[TableResult]:
    """Release (or fetch the stored release of) each template's table for `user`'s scope.

    With differential privacy the release's epsilon (REPORT_DP_EPSILON) is shared equally by
    its tables, and the whole release is refused if the scope's budget cannot pay for every
    table still to release."""
    scope = scope_of(user)
    settings = current_app.config
    k = settings["REPORT_K"]
    dp_mode = mode == DIFFERENTIAL_PRIVACY
    requests = {
        code: ReportRequest(code, TEMPLATES[code].unit, scope, period, mode) for code in templates
    }
    # Tables that cannot be private (medians, unbounded contributions) are refused by the
    # ledger before any spending; the others share the release's epsilon.
    private = [code for code in templates if dp_capable(code)]
    share = settings["REPORT_DP_EPSILON"] / max(1, len(private))
    if dp_mode:
        missing = [code for code in private if stored_release(requests[code]) is None]
        try:
            spend_budget(
                period.year,
                share * len(missing),
                settings["REPORT_DP_BUDGET"],
                budget_scope(scope),
                check_only=True,
            )
        except Refused as refusal:
            return [
                TableResult(code, stored_release(r), str(refusal)) for code, r in requests.items()
            ]
    results = []
    counted: dict[str, tuple[CountTable, frozenset[Position], tuple[Grid, ...]]] = {}
    for code, request in requests.items():
        template = TEMPLATES[code]
        bound = template.sensitivity if dp_mode else None

        def counts(r: ReportRequest, bound: int | None = bound) -> CountTable:
            if bound is not None:
                return count_table(r, people_bound=bound)
            counted[r.key] = counts_and_dominated_cells(r, k)  # one GROUP BY for both
            return counted[r.key][0]

        def dominated(r: ReportRequest) -> frozenset[Position]:
            if r.key not in counted:
                counted[r.key] = counts_and_dominated_cells(r, k)
            return counted[r.key][1]

        def known(r: ReportRequest) -> tuple[Grid, ...]:
            if r.key not in counted:
                counted[r.key] = counts_and_dominated_cells(r, k)
            return counted[r.key][2]

        try:
            release, _created = release_table(
                request,
                actor_id=user.id,
                count=counts,
                sensitivity=template.sensitivity,
                today=today,
                medians=median_table if template.statistic == MEDIAN else None,
                epsilon=share if dp_mode else None,
                snapshot=population_snapshot,
                sensitive=dominated,
                known_to=known,
                shared_margins=shares_population_margins(code),
                notes=release_notes(code),
                linked=lambda r: released_for_population(r, shared_templates()),
            )
        except Refused as refusal:
            results.append(TableResult(code, None, str(refusal)))
            continue
        results.append(TableResult(code, release, None))
    return results


def stored_report(
    user: User, period: Period, templates: Sequence[str], mode: str
) -> list[TableResult]:
    """The tables of a report already released for `user`'s scope (None where not yet):
    a read only, for pages and downloads."""
    scope = scope_of(user)
    return [
        TableResult(
            code,
            stored_release(ReportRequest(code, TEMPLATES[code].unit, scope, period, mode)),
            None,
        )
        for code in templates
    ]


def column_label(code: str) -> str:
    if code == TOTAL:
        return _("Total")
    return code  # period keys (2026-Q1, 2026-03) read the same in every language


def labelled(result: TableResult) -> LabelledTable | None:
    published = result.published
    if published is None or result.release is None:
        return None
    template = TEMPLATES[result.template]
    notes = note_text(published, result.template)
    if template.description is not None:
        notes.insert(0, str(template.description))
    labels = template.column_label or column_label
    return LabelledTable(
        template=result.template,
        title=str(template.title),
        row_heading=str(template.row_heading),
        column_heading=str(template.column_heading or _("Period")),
        row_codes=published.row_codes,
        row_labels=tuple(
            _("Total") if code == TOTAL else template.row_label(code)
            for code in published.row_codes
        ),
        column_codes=published.column_codes,
        column_labels=tuple(
            _("Total") if c == TOTAL else labels(c) for c in published.column_codes
        ),
        values=published.values,
        notes=tuple(notes),
        release_id=str(result.release.id),
        statistic=published.statistic,
        intervals=published.intervals,
        noisy_cells=published.noisy_cells,
    )


def document(
    results: Sequence[TableResult], *, user: User, period: Period, mode: str
) -> ReportDocument:
    tables = tuple(t for t in (labelled(r) for r in results) if t is not None)
    released = [r.release.released_at for r in results if r.release is not None]
    settings = current_app.config
    scope = scope_of(user)
    epsilons = [r.published.epsilon for r in results if r.published and r.published.epsilon]
    metadata: dict[str, Any] = {
        "report": _("Anonymised report"),
        "templates": ", ".join(t.template for t in tables),
        "scope": scope_label(scope, user),
        "scope_code": scope.kind if scope.value is None else f"{scope.kind}:{scope.value}",
        "period": period.key,
        "mode": mode,
        "k": settings["REPORT_K"],
        "rounding_base": None if mode == "dp" else settings["REPORT_ROUNDING_BASE"],
        "epsilon_per_table": epsilons[0] if epsilons else None,
        "epsilon_release": round(sum(epsilons), 6) if epsilons else None,
        "counting_rule": counting_rule(),
        "victim_statuses": ", ".join(victim_statuses()),
        "listed_countries": " ".join(listed_countries()),
        "software_version": f"Casework {VERSION}",
        "refused_tables": ", ".join(r.template for r in results if r.refusal) or None,
    }
    return ReportDocument(
        title=_("Anonymised report %(period)s", period=period.key),
        generated_at=max(released) if released else datetime.fromtimestamp(0).astimezone(),
        metadata=metadata,
        tables=tables,
    )


def download_name(results: Sequence[TableResult], period: Period, mode: str, fmt: str) -> str:
    """The file name of a report download, carrying the identity of the build it holds: the
    time of its latest release (UTC) and a digest of the ids of every release in it. A later
    build gives another name; downloading the same build again gives the same name and the
    same bytes (issue 16: one name had stood for two different files)."""
    releases = sorted(str(r.release.id) for r in results if r.release is not None)
    if not releases:
        raise ValueError("nothing released: a report is downloaded only after a build")
    digest = hashlib.sha256("\n".join(releases).encode("ascii")).hexdigest()[:12]
    latest = max(r.release.released_at for r in results if r.release is not None)
    built = latest.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"casework-report-{period.key}-{mode}-{built}-{digest}.{fmt}"


def protection_metadata(results: Sequence[TableResult]) -> list[dict[str, Any]]:
    """Per released table, the protection a regional hub needs to verify and combine it:
    mode, k and rounding base, or epsilon, noise scale and variance per cell, sensitivity
    (docs/decisions/0031)."""
    out = []
    for result in results:
        published = result.published
        if published is None or result.release is None:
            continue
        out.append(
            {
                "template": result.template,
                "release_id": str(result.release.id),
                "unit": TEMPLATES[result.template].unit,
                "mode": published.mode,
                "statistic": published.statistic,
                "k": published.k,
                "rounding_base": published.rounding_base,
                "hidden_cells": published.hidden_cells,
                "epsilon": published.epsilon,
                "noise": "discrete_laplace" if published.mode == DIFFERENTIAL_PRIVACY else None,
                "noise_scale": published.noise_scale,
                "noise_variance_per_cell": published.noise_variance,
                "sensitivity": published.sensitivity,
                "interval": "95%" if published.intervals is not None else None,
            }
        )
    return out
