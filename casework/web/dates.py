"""Dates and times as the reader expects them: in their agency's time zone, in their language's
format (Babel's CLDR patterns through Flask-Babel). The one set of template filters for dates:
`|day` (a date, or the day of a moment) and `|moment` (date, time and zone offset).

Stored moments are UTC; a date (`date`) is a calendar day and is never shifted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel.dates import get_datetime_format, get_timezone_gmt
from flask import has_request_context
from flask_babel import format_date, format_time, get_locale, get_timezone, to_user_timezone
from flask_login import current_user

from casework.core.time_zones import is_time_zone


def select_time_zone() -> str | None:
    """Flask-Babel's time zone: the signed-in person's agency's (None: the default, UTC)."""
    if not has_request_context() or not getattr(current_user, "is_authenticated", False):
        return None
    agency = getattr(current_user, "agency", None)
    zone = getattr(agency, "zone", None)
    return zone if is_time_zone(zone) else None


def day(value: date | datetime | None) -> str:
    """A calendar day in the reader's format (7 Dec 2026, 7 ธ.ค. 2026...); a moment is first
    moved to the agency's time zone, so its day is the local one."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    return str(format_date(value, "medium"))


def moment(value: datetime | None) -> str:
    """A moment in the agency's time zone: day, time and offset (7 Dec 2026, 18:30 GMT+07:00)."""
    if value is None:
        return ""
    local = to_user_timezone(value)
    locale = get_locale()
    pattern = get_datetime_format("medium", locale=locale)
    joined = (
        str(pattern)
        .replace("'", "")
        .replace("{1}", str(format_date(local.date(), "medium")))
        .replace("{0}", str(format_time(local, "short")))
    )
    return f"{joined} {get_timezone_gmt(local, width='long', locale=locale)}"


def local_today(now: datetime | None = None) -> date:
    """Today in the reader's agency's time zone (in Bangkok, 8 Dec from 17:00 UTC on 7 Dec):
    the day a home page's "today" and "overdue" are counted from. UTC outside a request."""
    now = now or datetime.now(UTC)
    if not has_request_context():
        return now.date()
    local: datetime = to_user_timezone(now)
    return local.date()


def zone_name() -> str:
    """The reader's time zone's name (Asia/Bangkok), for a column header or a form hint."""
    return str(get_timezone().zone)


TEMPLATE_FILTERS = {"day": day, "moment": moment}
