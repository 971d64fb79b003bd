"""Operations of the reports package: release a table through the ledger; set the scope a
coordinator reports on."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from flask import current_app
from flask_babel import gettext as _

from casework import audit
from casework.auth.models import User
from casework.core import VERSION
from casework.core.errors import OperationError
from casework.core.extensions import db
from casework.core.locks import serialise
from casework.encryption import keys
from casework.policy import Action, Role, require
from casework.reports.disclosure import (
    DIFFERENTIAL_PRIVACY,
    CountTable,
    MedianTable,
    PublishedTable,
    protect,
    protect_medians,
)
from casework.reports.ledger import (
    Differences,
    Refused,
    check_differencing,
    record_release,
    spend_budget,
    stored_release,
)
from casework.reports.models import CoordinatorScope, ReportRelease
from casework.reports.request import ReportRequest
from casework.reports.rounding import derive_rounding_key
from casework.vocab import COUNTRY_CODES


def release_table(
    request: ReportRequest,
    *,
    actor_id: uuid.UUID | None,
    count: Callable[[ReportRequest], CountTable],
    differences: Differences,
    sensitivity: int | None,
    today: date,
    medians: Callable[[ReportRequest], MedianTable] | None = None,
) -> tuple[ReportRelease, bool]:
    """The release for `request`: the stored one if it was released before (False), else a
    new one (True) after the differencing and budget checks. `Refused` explains a refusal.

    `sensitivity` is how many cells one person can change (None: the template cannot be
    released with differential privacy). `medians` is given for a median template: its
    table is measured by it instead of `count`."""
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
    if medians is not None and request.mode == DIFFERENTIAL_PRIVACY:
        raise Refused(
            _(
                "Medians are published with suppression and rounding only: choose the "
                "suppression and rounding method for this table."
            )
        )
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
    published: PublishedTable
    if medians is not None:
        published = protect_medians(medians(request), k=k)
    else:
        published = protect(
            count(request),
            k=k,
            rounding_base=settings["REPORT_ROUNDING_BASE"],
            rounding_key=derive_rounding_key(keys.keyring()),
            mode=request.mode,
            epsilon=epsilon,
            sensitivity=sensitivity or 1,
        )
    release = record_release(request, published, released_by=actor_id, software_version=VERSION)
    audit.record(
        "report.released",
        actor=actor_id,
        target=release,
        detail=f"{request.template} {request.mode}",
    )
    return release, True


class ScopeError(OperationError):
    """A coordinator's report scope that cannot be set."""


def set_coordinator_scope(actor: User | None, user: User, country: str | None) -> bool:
    """Make `user` (a coordinator) report on one country (ISO code) or, with None, on the
    region. `actor` is the administrator doing it, or None for the command line (whoever
    runs it already holds the server). Returns False when nothing changed; audited."""
    if actor is not None:
        require(actor, Action.MANAGE_USERS, user)
    if user.role != Role.COORDINATOR:
        raise ScopeError(_("Only coordinators have a report scope."), "scope")
    if country is not None and country not in COUNTRY_CODES:
        raise ScopeError(_("Choose a country from the list, or the region."), "scope")
    setting = db.session.get(CoordinatorScope, user.id)
    if setting is not None and setting.country == country:
        return False
    if setting is None:
        setting = CoordinatorScope(user_id=user.id, country=country)
        db.session.add(setting)
    else:
        setting.country = country
    audit.record(
        "report.scope.set",
        actor=actor,
        target=user,
        detail=f"country {country}" if country else "region",
    )
    db.session.flush()
    return True
