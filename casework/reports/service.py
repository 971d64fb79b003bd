"""Building a report: scope of the person asking, a release per table, labelled output."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext

from casework.auth.models import User
from casework.core import VERSION
from casework.core.extensions import db
from casework.policy import Role
from casework.reports.disclosure import (
    NOTE_DP,
    NOTE_MEDIAN,
    NOTE_NO_DATA,
    NOTE_ROUNDED,
    NOTE_SUPPRESSED,
    TOTAL,
    PublishedTable,
)
from casework.reports.exports import LabelledTable, ReportDocument
from casework.reports.ledger import Refused, stored_release
from casework.reports.models import CoordinatorScope, ReportRelease
from casework.reports.operations import release_table
from casework.reports.queries import count_table, differences, median_table
from casework.reports.request import AGENCY, COUNTRY, REGION, Period, ReportRequest, Scope
from casework.reports.templates import MEDIAN, TEMPLATES
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


def build_report(
    user: User, period: Period, templates: Sequence[str], mode: str, today: date
) -> list[TableResult]:
    """Release (or fetch the stored release of) each template's table for `user`'s scope."""
    scope = scope_of(user)
    results = []
    for code in templates:
        template = TEMPLATES[code]
        request = ReportRequest(code, template.unit, scope, period, mode)
        try:
            release, _created = release_table(
                request,
                actor_id=user.id,
                count=count_table,
                differences=differences,
                sensitivity=template.sensitivity,
                today=today,
                medians=median_table if template.statistic == MEDIAN else None,
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


def note_text(published: PublishedTable) -> list[str]:
    """The visible note of a table: what disclosure control did to it."""
    texts = []
    for note in published.notes:
        if note == NOTE_SUPPRESSED:
            texts.append(
                _(
                    "%(n)s cells are hidden (x): they counted 1 to %(k1)s people, or could be "
                    "used with the totals to work out such a cell.",
                    n=published.hidden_cells,
                    k1=published.k - 1,
                )
            )
        elif note == NOTE_ROUNDED:
            texts.append(
                _(
                    "Figures are randomly rounded to a multiple of %(base)s; totals are rounded "
                    "separately, so they may not add up.",
                    base=published.rounding_base,
                )
            )
        elif note == NOTE_DP:
            texts.append(
                _(
                    "Differential privacy: random noise (epsilon %(epsilon)s) was added to each "
                    "cell with OpenDP; totals are sums of the noisy cells.",
                    epsilon=published.epsilon,
                )
            )
        elif note == NOTE_MEDIAN:
            texts.append(
                _(
                    "Medians in whole days (rounded). A median is shown only where at least "
                    "%(k)s people were measured; other cells are hidden (x). The number of "
                    "people behind each median is not published.",
                    k=published.k,
                )
            )
        elif note == NOTE_NO_DATA:
            texts.append(_("Nothing to report for this period."))
    if nothing_published(published) and not published.empty:
        texts.insert(
            0,
            _(
                "Every figure of this table is hidden: too few people to publish any of them "
                "safely. A longer period (a year) or a wider scope may give figures that can "
                "be shown."
            ),
        )
    return texts


def nothing_published(published: PublishedTable) -> bool:
    """No figure of the table says anything: it is empty, or all hidden or zero."""
    return not any(value for row in published.values for value in row)


def column_label(code: str) -> str:
    if code == TOTAL:
        return _("Total")
    return code  # period keys (2026-Q1, 2026-03) read the same in every language


def labelled(result: TableResult) -> LabelledTable | None:
    published = result.published
    if published is None or result.release is None:
        return None
    template = TEMPLATES[result.template]
    notes = note_text(published)
    if template.description is not None:
        notes.insert(0, str(template.description))
    return LabelledTable(
        template=result.template,
        title=str(template.title),
        row_heading=str(template.row_heading),
        column_heading=_("Period"),
        row_codes=published.row_codes,
        row_labels=tuple(
            _("Total") if code == TOTAL else template.row_label(code)
            for code in published.row_codes
        ),
        column_codes=published.column_codes,
        column_labels=tuple(column_label(c) for c in published.column_codes),
        values=published.values,
        notes=tuple(notes),
        release_id=str(result.release.id),
        statistic=published.statistic,
    )


def document(
    results: Sequence[TableResult], *, user: User, period: Period, mode: str
) -> ReportDocument:
    tables = tuple(t for t in (labelled(r) for r in results) if t is not None)
    released = [r.release.released_at for r in results if r.release is not None]
    settings = current_app.config
    metadata: dict[str, Any] = {
        "report": _("Anonymised report"),
        "templates": ", ".join(t.template for t in tables),
        "scope": scope_label(scope_of(user), user),
        "period": period.key,
        "mode": mode,
        "k": settings["REPORT_K"],
        "rounding_base": None if mode == "dp" else settings["REPORT_ROUNDING_BASE"],
        "epsilon_per_table": settings["REPORT_DP_EPSILON"] if mode == "dp" else None,
        "software_version": f"Casework {VERSION}",
        "refused_tables": ", ".join(r.template for r in results if r.refusal) or None,
    }
    return ReportDocument(
        title=_("Anonymised report %(period)s", period=period.key),
        generated_at=max(released) if released else datetime.fromtimestamp(0).astimezone(),
        metadata=metadata,
        tables=tables,
    )
