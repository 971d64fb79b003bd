"""The note under each table: who it counts and what disclosure control did to it, from the
note codes recorded with the release (the settings may have changed since)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from casework.reports.definitions import country_codes
from casework.reports.disclosure import (
    DIFFERENTIAL_PRIVACY,
    NOTE_DP,
    NOTE_MEDIAN,
    NOTE_NO_DATA,
    NOTE_ROUNDED,
    NOTE_SUPPRESSED,
    PublishedTable,
)
from casework.reports.settings import CONSENTED, listed_countries
from casework.reports.templates import COUNT, TEMPLATES
from casework.vocab import TRAFFICKING_STATUSES

NOTE_COUNTING = "counting:"  # + the counting rule in force when the table was released
NOTE_STATUSES = "statuses:"  # + the trafficking statuses a victims' table counted


def _(message: str, **variables: Any) -> str:
    return str(gettext(message, **variables))


def nothing_published(published: PublishedTable) -> bool:
    """No figure of the table says anything: it is empty, or all hidden or zero."""
    return not any(value for row in published.values for value in row)


def _statuses_text(codes: str) -> str:
    return ", ".join(TRAFFICKING_STATUSES.label(code).lower() for code in codes.split(",") if code)


def note_text(published: PublishedTable, template_code: str | None = None) -> list[str]:
    """The visible note of a table: who it counts and what disclosure control did to it."""
    template = TEMPLATES.get(template_code or published.template)
    texts = []
    for note in published.notes:
        if note.startswith(NOTE_COUNTING):
            if note[len(NOTE_COUNTING) :] == CONSENTED:
                texts.append(
                    _(
                        "Counts only people who consented to be counted in anonymised "
                        "statistics (the deployment's counting rule)."
                    )
                )
            else:
                texts.append(
                    _(
                        "Counts everyone except people who withdrew their consent to "
                        "anonymised statistics (the deployment's counting rule)."
                    )
                )
        elif note.startswith(NOTE_STATUSES):
            texts.append(
                _(
                    "Victims counted: trafficking status %(statuses)s (HTCDS); other statuses "
                    "and cases with no status recorded are not counted.",
                    statuses=_statuses_text(note[len(NOTE_STATUSES) :]),
                )
            )
        elif note == NOTE_SUPPRESSED:
            texts.append(
                _(
                    "%(n)s cells are hidden (x): they counted 0 to %(k1)s people (a true zero "
                    "is hidden like a small count), fewer than %(k)s people beyond one "
                    "agency's own, or could be used with the totals to work out such a cell.",
                    n=published.hidden_cells,
                    k1=published.k - 1,
                    k=published.k,
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
                    "Differential privacy: OpenDP added random noise to each cell (epsilon "
                    "%(epsilon)s for this table; one person changes at most %(s)s cells). "
                    "Noisy counts were made whole non-negative numbers keeping each column's "
                    "noisy total, and totals are sums of the cells. Each figure is followed by "
                    "its 95%% interval: the true count lies in it with 95%% probability.",
                    epsilon=f"{published.epsilon:.3g}" if published.epsilon else "",
                    s=published.sensitivity or 1,
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
    if template is not None and template.statistic == COUNT and template.unit_label is not None:
        if published.mode == DIFFERENTIAL_PRIVACY:
            texts.append(_("Each figure counts people."))
        else:
            texts.append(_("Each figure counts %(unit)s.", unit=str(template.unit_label)))
    if template is not None and country_codes in (template.row_codes, template.column_codes):
        texts.append(
            _(
                "Countries are listed one by one for the %(n)s countries of the deployment's "
                'list; every other country is counted under "Other countries". "Not '
                'recorded" counts people with no country recorded (for the country of '
                "exploitation: no exploitation recorded).",
                n=len(listed_countries()),
            )
        )
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
