"""The release ledger: repeats, overlapping releases and the privacy budget.

* A request identical to one already released gets the stored release, unchanged.
* Suppressed (standard) tables: within one audience, a population (unit, scope, period,
  filters) may be released only if it does not overlap a population already released with a
  different definition: no month inside a released quarter, no year around it, no region
  around a released country. The rule reads only what was released (definitions the audience
  already knows), never the data, so a refusal says nothing about anyone; and since no two
  suppressed releases of overlapping but different populations exist, none can be
  subtracted from another, before or after a consent withdrawal or a back-dated
  registration. Templates of the same population may be released at any time: they share
  only the population's margins, published the same in every template (see `disclosure`).
* A population with a differentially private release gets no suppressed tables any more:
  the figures of one would sharpen the other.
* Differentially private tables spend epsilon from the budget of their scope (a country or
  the region) and the calendar year their data fall in; a request that would overspend is
  refused. The budget row is locked while it is checked and spent, so concurrent requests
  cannot both take the last of it. Viewing or downloading a release spends nothing.

The check is one indexed query over release definitions, whatever the number of releases.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, or_, select, true

from casework.core.extensions import db
from casework.reports.disclosure import DIFFERENTIAL_PRIVACY, PublishedTable
from casework.reports.models import PrivacyBudget, ReportRelease
from casework.reports.request import AGENCY, COUNTRY, REGION, Period, ReportRequest, Scope
from casework.web.dates import day

EPSILON_SLACK = 1e-9  # float sums: 0.1 + 0.2 must not refuse a budget of 0.3


class Refused(Exception):
    """The ledger refuses a request; the message explains why and is safe to show."""

    def __init__(self, message: str, release_id: uuid.UUID | None = None) -> None:
        super().__init__(message)
        self.release_id = release_id


@dataclass(frozen=True)
class BudgetStatus:
    year: int
    budget: float
    spent: float

    @property
    def remaining(self) -> float:
        return max(0.0, self.budget - self.spent)


def stored_release(request: ReportRequest) -> ReportRelease | None:
    return db.session.scalar(select(ReportRelease).where(ReportRelease.request_key == request.key))


def request_of(release: ReportRelease) -> ReportRequest:
    return ReportRequest(
        template=release.template,
        unit=release.unit,
        scope=Scope(release.scope_kind, release.scope_value),
        period=Period(release.period_key),
        mode=release.mode,
        filters=tuple((str(name), str(value)) for name, value in release.filters),
    )


def budget_scope(scope: Scope) -> str:
    """The budget a scope spends: its country's, or the region's."""
    return f"country:{scope.value}" if scope.kind == COUNTRY else REGION


def _overlapping_scope(scope: Scope) -> ColumnElement[bool]:
    """Releases whose scope shares people with `scope` (within one audience)."""
    if scope.kind == REGION:
        return true()
    same = and_(ReportRelease.scope_kind == scope.kind, ReportRelease.scope_value == scope.value)
    if scope.kind == AGENCY:
        return same
    return or_(same, ReportRelease.scope_kind == REGION)


def _overlapping(request: ReportRequest, *conditions: ColumnElement[bool]) -> ReportRelease | None:
    """The first earlier release to the same audience whose population overlaps
    `request`'s and that meets `conditions`: one indexed query."""
    return db.session.scalar(
        select(ReportRelease)
        .where(
            ReportRelease.unit == request.unit,
            ReportRelease.audience == request.scope.audience,
            ReportRelease.request_key != request.key,
            ReportRelease.period_start <= request.period.end,
            ReportRelease.period_end >= request.period.start,
            _overlapping_scope(request.scope),
            *conditions,
        )
        .order_by(ReportRelease.released_at, ReportRelease.id)
        .limit(1)
    )


def _other_population(request: ReportRequest) -> ColumnElement[bool]:
    """A release whose population is defined otherwise (scope or period; filters are part
    of the request's template, so a template's own filter is the same population)."""
    same_scope = and_(
        ReportRelease.scope_kind == request.scope.kind,
        ReportRelease.scope_value == request.scope.value
        if request.scope.value is not None
        else ReportRelease.scope_value.is_(None),
    )
    return or_(~same_scope, ReportRelease.period_key != request.period.key)


def released_with_dp(request: ReportRequest) -> bool:
    """Some of `request`'s people were released with differential privacy (to its audience)."""
    return _overlapping(request, ReportRelease.mode == DIFFERENTIAL_PRIVACY) is not None


def check_overlap(request: ReportRequest) -> None:
    """Refuse a suppressed table whose population overlaps a released one with another
    definition, or one with a differentially private release (see the module docstring).
    Differentially private requests are bounded by the budget instead."""
    if request.mode == DIFFERENTIAL_PRIVACY:
        return
    release = _overlapping(request, ReportRelease.mode == DIFFERENTIAL_PRIVACY)
    if release is not None:
        raise Refused(
            _(
                "Refused: these people were published with differential privacy "
                "(%(period)s, released %(date)s). Tables with suppression and rounding "
                "are no longer offered for them; use the differentially private release.",
                period=release.period_key,
                date=day(release.released_at),
            ),
            release.id,
        )
    release = _overlapping(request, _other_population(request))
    if release is not None:
        raise Refused(
            _(
                "Refused: tables for %(period)s (%(scope)s) were already released on "
                "%(date)s, and this request covers some of the same people with another "
                "period or scope. Comparing the two could single people out, so suppressed "
                "tables are released for one of them only. Use the released tables, choose "
                "a period that does not overlap them, or use differential privacy.",
                period=release.period_key,
                scope=release.scope_value or _("region"),
                date=day(release.released_at),
            ),
            release.id,
        )


def released_for_population(
    request: ReportRequest, templates: Sequence[str]
) -> list[PublishedTable]:
    """The suppressed tables of `templates` already released for exactly the population of
    `request` (same unit, scope and period), oldest first."""
    scope_value = (
        ReportRelease.scope_value == request.scope.value
        if request.scope.value is not None
        else ReportRelease.scope_value.is_(None)
    )
    releases = db.session.scalars(
        select(ReportRelease)
        .where(
            ReportRelease.unit == request.unit,
            ReportRelease.scope_kind == request.scope.kind,
            scope_value,
            ReportRelease.period_key == request.period.key,
            ReportRelease.mode == request.mode,
            ReportRelease.template.in_(templates),
            ReportRelease.request_key != request.key,
        )
        .order_by(ReportRelease.released_at, ReportRelease.id)
    )
    return [PublishedTable.from_dict(r.published) for r in releases]


def budget_status(year: int, budget: float, scope: str = REGION) -> BudgetStatus:
    row = db.session.get(PrivacyBudget, (scope, year))
    return BudgetStatus(year, budget, row.spent if row else 0.0)


def spend_budget(
    year: int, epsilon: float, budget: float, scope: str = REGION, *, check_only: bool = False
) -> BudgetStatus:
    """Take `epsilon` from the scope's budget for the year, or refuse if it would be
    overspent (`check_only`: refuse the same way, but spend nothing)."""
    row = db.session.scalar(
        select(PrivacyBudget)
        .where(PrivacyBudget.scope == scope, PrivacyBudget.year == year)
        .with_for_update()
    )
    spent = row.spent if row is not None else 0.0
    if spent + epsilon > budget + EPSILON_SLACK:
        raise Refused(
            _(
                "Refused: the privacy budget for %(year)s data is spent (%(spent).2f of "
                "%(budget).2f used; this release needs %(epsilon).2f). Differentially private "
                "tables about %(year)s can no longer be released for this scope; earlier "
                "releases stay available.",
                year=year,
                spent=spent,
                budget=budget,
                epsilon=epsilon,
            )
        )
    if check_only:
        return BudgetStatus(year, budget, spent)
    if row is None:
        row = PrivacyBudget(scope=scope, year=year, spent=0.0)
        db.session.add(row)
    row.spent = spent + epsilon
    db.session.flush()
    return BudgetStatus(year, budget, row.spent)


def record_release(
    request: ReportRequest,
    published: PublishedTable,
    *,
    released_by: uuid.UUID | None,
    software_version: str,
    population: tuple[int, str] | None = None,
) -> ReportRelease:
    release = ReportRelease(
        request_key=request.key,
        template=request.template,
        unit=request.unit,
        audience=request.scope.audience,
        scope_kind=request.scope.kind,
        scope_value=request.scope.value,
        period_key=request.period.key,
        period_start=request.period.start,
        period_end=request.period.end,
        filters=[list(f) for f in request.filters],
        mode=request.mode,
        epsilon=published.epsilon,
        population_size=population[0] if population else None,
        population_digest=population[1] if population else None,
        published=published.to_dict(),
        software_version=software_version,
        released_by_id=released_by,
    )
    db.session.add(release)
    db.session.flush()
    return release
