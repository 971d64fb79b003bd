"""The release ledger: repeats, differencing refusals and the privacy budget.

* A request identical to one already released gets the stored release, unchanged.
* A request whose population overlaps an earlier release's, seen by the same audience, and
  differs from it by 1..k-1 people is refused: subtracting one table from the other would
  show those few people. The database counts the differences (`Differences`), never rows.
* Differentially private tables spend epsilon from the budget of the calendar year their
  data fall in; a request that would overspend is refused. The budget row is locked while
  it is checked and spent, so concurrent requests cannot both take the last of it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from casework.core.extensions import db
from casework.reports.disclosure import PublishedTable
from casework.reports.models import PrivacyBudget, ReportRelease
from casework.reports.request import Period, ReportRequest, Scope

# (new request, earlier requests) -> for each earlier one (people in both, people in one only)
Differences = Callable[[ReportRequest, Sequence[ReportRequest]], list[tuple[int, int]]]
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


def check_differencing(request: ReportRequest, k: int, differences: Differences) -> None:
    """Refuse `request` if its population is within 1..k-1 people of an overlapping one
    already released to the same audience."""
    earlier = db.session.scalars(
        select(ReportRelease)
        .where(
            ReportRelease.unit == request.unit,
            ReportRelease.audience == request.scope.audience,
            ReportRelease.request_key != request.key,
            # Populations are defined within their period: no overlap in time, no overlap.
            ReportRelease.period_start <= request.period.end,
            ReportRelease.period_end >= request.period.start,
        )
        .order_by(ReportRelease.released_at, ReportRelease.id)
    ).all()
    if not earlier:
        return
    counted = differences(request, [request_of(r) for r in earlier])
    for release, (shared, differing) in zip(earlier, counted, strict=True):
        if shared > 0 and 0 < differing < k:
            raise Refused(
                _(
                    "Refused: this request counts almost the same people as a table released "
                    "on %(date)s (%(period)s). Fewer than %(k)s people differ between the two, "
                    "so comparing them could single those people out. Choose a period or scope "
                    "that differs by at least %(k)s people, or use the released table.",
                    date=release.released_at.date().isoformat(),
                    period=release.period_key,
                    k=k,
                ),
                release.id,
            )


def budget_status(year: int, budget: float) -> BudgetStatus:
    row = db.session.get(PrivacyBudget, year)
    return BudgetStatus(year, budget, row.spent if row else 0.0)


def spend_budget(year: int, epsilon: float, budget: float) -> BudgetStatus:
    """Take `epsilon` from the year's budget, or refuse if it would be overspent."""
    row = db.session.scalar(
        select(PrivacyBudget).where(PrivacyBudget.year == year).with_for_update()
    )
    if row is None:
        row = PrivacyBudget(year=year, spent=0.0)
        db.session.add(row)
    if row.spent + epsilon > budget + EPSILON_SLACK:
        raise Refused(
            _(
                "Refused: the privacy budget for %(year)s data is spent (%(spent).2f of "
                "%(budget).2f used; this table needs %(epsilon).2f). Differentially private "
                "tables about %(year)s can no longer be released; earlier releases stay "
                "available.",
                year=year,
                spent=row.spent,
                budget=budget,
                epsilon=epsilon,
            )
        )
    row.spent = row.spent + epsilon
    db.session.flush()
    return BudgetStatus(year, budget, row.spent)


def record_release(
    request: ReportRequest,
    published: PublishedTable,
    *,
    released_by: uuid.UUID | None,
    software_version: str,
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
        published=published.to_dict(),
        software_version=software_version,
        released_by_id=released_by,
    )
    db.session.add(release)
    db.session.flush()
    return release
