"""What a report request is: template, scope, period, filters and mode, as plain values.

A request names its population (who is counted) by scope, period and filters only, so the
ledger can store it, recognise a repeat by its key, and ask the database how many people two
requests' populations differ by.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date

MONTH, QUARTER, YEAR = "month", "quarter", "year"
PERIOD_KINDS = (MONTH, QUARTER, YEAR)
AGENCY, COUNTRY, REGION = "agency", "country", "region"
SCOPE_KINDS = (AGENCY, COUNTRY, REGION)
COORDINATION_AUDIENCE = "coordination"

_PERIOD = re.compile(r"(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?")


class RequestError(ValueError):
    """A request that cannot be made (its message is safe to show)."""


def _parse(key: str) -> tuple[int, int | None, int | None]:
    """(year, quarter, month) of a period key; `RequestError` if it is not one."""
    match = _PERIOD.fullmatch(key)
    if match is None:
        raise RequestError("a period is a year (2026), a quarter (2026-Q1) or a month (2026-03)")
    quarter, month = match["quarter"], match["month"]
    return int(match["year"]), int(quarter) if quarter else None, int(month) if month else None


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month ("2026-03"), quarter ("2026-Q1") or year ("2026")."""

    key: str

    def __post_init__(self) -> None:
        _parse(self.key)

    @property
    def kind(self) -> str:
        _, quarter, month = _parse(self.key)
        if quarter:
            return QUARTER
        return MONTH if month else YEAR

    @property
    def year(self) -> int:
        return _parse(self.key)[0]

    @property
    def start(self) -> date:
        year, quarter, month = _parse(self.key)
        if quarter:
            return date(year, 3 * quarter - 2, 1)
        return date(year, month or 1, 1)

    @property
    def end(self) -> date:
        """The last day of the period."""
        year, quarter, month = _parse(self.key)
        last_month = 3 * quarter if quarter else (month or 12)
        return date(year, last_month, calendar.monthrange(year, last_month)[1])

    def parts(self) -> tuple[Period, ...]:
        """The columns of a table over this period: months of a quarter, quarters of a year,
        the month itself for a month."""
        kind = self.kind
        if kind == YEAR:
            return tuple(Period(f"{self.year}-Q{q}") for q in range(1, 5))
        if kind == QUARTER:
            first = self.start.month
            return tuple(Period(f"{self.year}-{m:02d}") for m in range(first, first + 3))
        return (self,)

    def completed(self, today: date) -> bool:
        return self.end < today


def recent_periods(kind: str, today: date, count: int) -> list[Period]:
    """The last `count` completed periods of a kind, newest first."""
    periods: list[Period] = []
    year, month = today.year, today.month
    if kind == YEAR:
        return [Period(str(today.year - i)) for i in range(1, count + 1)]
    if kind == QUARTER:
        quarter = (month - 1) // 3 + 1
        for _ in range(count):
            quarter -= 1
            if quarter == 0:
                year, quarter = year - 1, 4
            periods.append(Period(f"{year}-Q{quarter}"))
        return periods
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        periods.append(Period(f"{year}-{month:02d}"))
    return periods


@dataclass(frozen=True)
class Scope:
    """Whose cases: one agency's (supervisors), one country's or the region's (coordinators)."""

    kind: str
    value: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in SCOPE_KINDS:
            raise RequestError("unknown scope")
        if (self.kind == REGION) != (self.value is None):
            raise RequestError("the region has no value; an agency or a country needs one")

    @property
    def audience(self) -> str:
        """Who sees tables of this scope: an agency's supervisors, or the coordinators (who
        share and publish). Differencing is only possible within one audience."""
        return f"agency:{self.value}" if self.kind == AGENCY else COORDINATION_AUDIENCE


@dataclass(frozen=True)
class ReportRequest:
    template: str
    unit: str  # the population counted: cases, referrals, services, sessions
    scope: Scope
    period: Period
    mode: str
    filters: tuple[tuple[str, str], ...] = field(default=())

    @property
    def key(self) -> str:
        """A stable fingerprint of the request (the ledger's repeat detection)."""
        canonical = json.dumps(
            {
                "template": self.template,
                "scope": [self.scope.kind, self.scope.value],
                "period": self.period.key,
                "mode": self.mode,
                "filters": sorted(self.filters),
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
