"""Operations of the reports package: release a table through the ledger."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from flask import current_app
from flask_babel import gettext as _

from casework import __version__, audit
from casework.encryption import keys
from casework.locks import serialise
from casework.reports.disclosure import DIFFERENTIAL_PRIVACY, CountTable, protect
from casework.reports.ledger import (
    Differences,
    Refused,
    check_differencing,
    record_release,
    spend_budget,
    stored_release,
)
from casework.reports.models import ReportRelease
from casework.reports.request import ReportRequest
from casework.reports.rounding import derive_rounding_key


def release_table(
    request: ReportRequest,
    *,
    actor_id: uuid.UUID | None,
    count: Callable[[ReportRequest], CountTable],
    differences: Differences,
    sensitivity: int | None,
    today: date,
) -> tuple[ReportRelease, bool]:
    """The release for `request`: the stored one if it was released before (False), else a
    new one (True) after the differencing and budget checks. `Refused` explains a refusal.

    `sensitivity` is how many cells one person can change (None: the template cannot be
    released with differential privacy)."""
    # Two requests for the same table must not both release it (and both spend budget).
    serialise(f"report-release:{request.key}")
    existing = stored_release(request)
    if existing is not None:
        return existing, False
    if not request.period.completed(today):
        # A running period changes daily: watching it would show each new person.
        raise Refused(
            _(
                "Only completed periods can be reported. %(period)s is not over yet.",
                period=request.period.key,
            )
        )
    settings = current_app.config
    k = settings["REPORT_K"]
    check_differencing(request, k, differences)
    epsilon = None
    if request.mode == DIFFERENTIAL_PRIVACY:
        if sensitivity is None:
            raise Refused(
                _(
                    "This table cannot be released with differential privacy: one "
                    "person can appear in it any number of times."
                )
            )
        epsilon = settings["REPORT_DP_EPSILON"]
        spend_budget(request.period.year, epsilon, settings["REPORT_DP_BUDGET"])
    published = protect(
        count(request),
        k=k,
        rounding_base=settings["REPORT_ROUNDING_BASE"],
        rounding_key=derive_rounding_key(keys.keyring()),
        mode=request.mode,
        epsilon=epsilon,
        sensitivity=sensitivity or 1,
    )
    release = record_release(request, published, released_by=actor_id, software_version=__version__)
    audit.record(
        "report.released",
        actor=actor_id,
        target=release,
        detail=f"{request.template} {request.mode}",
    )
    return release, True
