"""Time zones: an agency's default from its country (the IANA database's main zone)."""

from __future__ import annotations

import pytz

UTC_NAME = "UTC"


def default_time_zone(country: str | None) -> str:
    """The country's main zone (the first the IANA zone table lists: Asia/Jakarta for
    Indonesia, Asia/Kuala_Lumpur for Malaysia), UTC for an unknown country."""
    zones = pytz.country_timezones.get((country or "").upper()) if country else None
    return zones[0] if zones else UTC_NAME


def is_time_zone(name: str | None) -> bool:
    return bool(name) and name in pytz.all_timezones_set


def time_zone_names(country: str | None = None) -> list[str]:
    """The common zone names, the country's own first."""
    own = list(pytz.country_timezones.get(country.upper(), [])) if country else []
    return own + [zone for zone in pytz.common_timezones if zone not in own]
