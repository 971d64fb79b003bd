"""Published packages: one signed zip per request, stored once, named by its content.

Building a report (or a synthetic data set) publishes its package: the tables as released
(CSV, XLSX, JSON), or the synthetic file, with a manifest whose metadata states what a
regional hub needs to check and combine it (see docs/decisions/0031): scope, period,
counting rule, protection, and for differential privacy the epsilon, the noise scale and
variance of each table and its sensitivity. Every later download of the same request gets
the same bytes under the same name; the name carries the first 12 hex digits of the
package's SHA-256, so two different packages never share a name.
"""

from __future__ import annotations

import hashlib
import json
import uuid

from sqlalchemy import select

from casework import audit
from casework.core.extensions import db
from casework.reports.models import ReportPublication
from casework.reports.request import Period, Scope

REPORT, SYNTHETIC = "report", "synthetic"


def publication_key(kind: str, scope: Scope, period: Period, mode: str) -> str:
    canonical = json.dumps([kind, scope.kind, scope.value, period.key, mode], separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def stored_publication(
    kind: str, scope: Scope, period: Period, mode: str
) -> ReportPublication | None:
    key = publication_key(kind, scope, period, mode)
    return db.session.scalar(select(ReportPublication).where(ReportPublication.request_key == key))


def package_name(kind: str, scope: Scope, period: Period, mode: str, package: bytes) -> str:
    where = scope.value.lower() if scope.kind != "region" and scope.value else "region"
    if scope.kind == "agency":
        where = "agency"
    digest = hashlib.sha256(package).hexdigest()[:12]
    name = "release" if kind == REPORT else "synthetic"
    return f"casework-{name}-{where}-{period.key}-{mode}-{digest}.zip"


def record_publication(
    kind: str,
    scope: Scope,
    period: Period,
    mode: str,
    package: bytes,
    *,
    released_by: uuid.UUID | None,
    epsilon: float | None = None,
) -> ReportPublication:
    """Store a package (the caller holds the request's lock and checked it is new)."""
    publication = ReportPublication(
        request_key=publication_key(kind, scope, period, mode),
        kind=kind,
        scope_kind=scope.kind,
        scope_value=scope.value,
        period_key=period.key,
        mode=mode,
        filename=package_name(kind, scope, period, mode, package),
        sha256=hashlib.sha256(package).hexdigest(),
        package=package,
        epsilon=epsilon,
        released_by_id=released_by,
    )
    db.session.add(publication)
    db.session.flush()
    audit.record("report.published", actor=released_by, target=publication, detail=f"{kind} {mode}")
    return publication
