"""Operations of the reports package: release a table through the ledger; set the scope a
coordinator reports on."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
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
    Refused,
    budget_scope,
    check_overlap,
    record_release,
    spend_budget,
    stored_release,
)
from casework.reports.models import CoordinatorScope, ReportRelease
from casework.reports.request import ReportRequest
from casework.reports.rounding import derive_rounding_key
from casework.reports.suppression import Position
from casework.vocab import COUNTRY_CODES

Snapshot = Callable[[ReportRequest], tuple[int, str]]
Sensitive = Callable[[ReportRequest], frozenset[Position]]


def release_table(
    request: ReportRequest,
    *,
    actor_id: uuid.UUID | None,
    count: Callable[[ReportRequest], CountTable],
    sensitivity: int | None,
    today: date,
    medians: Callable[[ReportRequest], MedianTable] | None = None,
    epsilon: float | None = None,
    snapshot: Snapshot | None = None,
    sensitive: Sensitive | None = None,
    shared_margins: bool = False,
    notes: tuple[str, ...] = (),
    linked: Callable[[ReportRequest], Sequence[PublishedTable]] | None = None,
    known_to: Callable[[ReportRequest], Sequence[Sequence[Sequence[int]]]] | None = None,
) -> tuple[ReportRelease, bool]:
    """The release for `request`: the stored one if it was released before (False), else a
    new one (True) after the ledger's checks. `Refused` explains a refusal.

    `count` gives the true counts (in people, each in at most `sensitivity` cells, for a
    differentially private release); `sensitivity` None: the template cannot be released
    with differential privacy. `medians` is given for a median template: its table is
    measured by it instead of `count`. `epsilon` is this table's share of the release's
    epsilon (default REPORT_DP_EPSILON). `snapshot` fingerprints the population counted
    (keys the rounding); `sensitive` names cells to hide beyond the small ones;
    `shared_margins`: the column totals are the population's (see `disclosure.protect`);
    `notes` are note codes recorded with the table (what it counted); `linked` gives the
    suppressed tables already released for the same people that share its margins;
    `known_to` the grids each agency knows of it (its own counts)."""
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
    check_overlap(request)
    if medians is not None and request.mode == DIFFERENTIAL_PRIVACY:
        raise Refused(
            _(
                "Medians are published with suppression and rounding only: choose the "
                "suppression and rounding method for this table."
            )
        )
    if request.mode == DIFFERENTIAL_PRIVACY:
        if sensitivity is None:
            raise Refused(
                _(
                    "This table cannot be released with differential privacy: one "
                    "person can appear in it any number of times."
                )
            )
        epsilon = epsilon if epsilon is not None else settings["REPORT_DP_EPSILON"]
        serialise(f"privacy-budget:{budget_scope(request.scope)}:{request.period.year}")
        spend_budget(
            request.period.year,
            epsilon,
            settings["REPORT_DP_BUDGET"],
            budget_scope(request.scope),
        )
    rounding_key = derive_rounding_key(keys.keyring())
    population = None
    if snapshot is not None:
        size, fingerprint = snapshot(request)
        digest = hmac.new(
            rounding_key, f"{request.key}|{fingerprint}".encode(), hashlib.sha256
        ).hexdigest()
        population = (size, digest)
    published: PublishedTable
    if medians is not None:
        published = protect_medians(medians(request), k=k)
    else:
        context = (
            request.unit,
            request.scope.kind,
            request.scope.value or "",
            request.period.key,
            population[1] if population else "",
        )
        published = protect(
            count(request),
            k=k,
            rounding_base=settings["REPORT_ROUNDING_BASE"],
            rounding_key=rounding_key,
            mode=request.mode,
            epsilon=epsilon,
            sensitivity=sensitivity or 1,
            rounding_context=context,
            shared_margins=shared_margins,
            sensitive=sensitive(request)
            if sensitive is not None and request.mode != DIFFERENTIAL_PRIVACY
            else frozenset(),
            linked=linked(request)
            if linked is not None and shared_margins and request.mode != DIFFERENTIAL_PRIVACY
            else (),
            known_to=known_to(request)
            if known_to is not None and request.mode != DIFFERENTIAL_PRIVACY
            else (),
        )
    if notes:
        published = replace(published, notes=(*notes, *published.notes))
    release = record_release(
        request,
        published,
        released_by=actor_id,
        software_version=VERSION,
        population=population,
    )
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
