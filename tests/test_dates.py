"""Dates and times: in the agency's time zone, in the reader's language's format, everywhere.

One set of filters (`|day`, `|moment`, casework/web/dates.py); agencies have a time zone,
by default their country's main one; no template formats a date by hand or claims UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from flask_login import login_user

from casework import ROOT
from casework.core.extensions import db
from casework.core.time_zones import default_time_zone, is_time_zone, time_zone_names
from casework.web.dates import day, moment, select_time_zone
from tests import factories

EVENING_UTC = datetime(2026, 12, 7, 20, 30, tzinfo=UTC)  # already 8 December in Bangkok


@pytest.mark.parametrize(
    ("country", "zone"),
    [
        ("TH", "Asia/Bangkok"),
        ("KH", "Asia/Phnom_Penh"),
        ("MM", "Asia/Yangon"),
        ("VN", "Asia/Ho_Chi_Minh"),
        ("ID", "Asia/Jakarta"),
        ("MY", "Asia/Kuala_Lumpur"),
        ("PH", "Asia/Manila"),
        ("XX", "UTC"),
        (None, "UTC"),
    ],
)
def test_an_agency_zone_defaults_from_its_country(country, zone) -> None:
    assert default_time_zone(country) == zone


def test_time_zone_names_put_the_country_first() -> None:
    names = time_zone_names("ID")
    assert names[:4] == ["Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura"]
    assert "Europe/Paris" in names
    assert len(names) == len(set(names))
    assert is_time_zone("Asia/Yangon")
    assert not is_time_zone("Mars/Olympus")
    assert not is_time_zone("")


def test_a_new_agency_gets_its_country_zone(app) -> None:
    agency = factories.make_agency(country="MM")
    db.session.flush()
    assert agency.time_zone == "Asia/Yangon"


def _as(app, agency, language: str):
    """A request of a user of `agency` reading `language`."""
    account = factories.make_user(agency=agency)
    db.session.flush()
    context = app.test_request_context()
    context.push()
    login_user(account.user)
    locale = force_locale(language)
    locale.__enter__()
    return context, locale


def _done(context, locale) -> None:
    locale.__exit__(None, None, None)
    context.pop()


def test_moments_are_shown_in_the_agency_zone(app) -> None:
    bangkok = factories.make_agency(country="TH")
    context, locale = _as(app, bangkok, "en")
    try:
        assert select_time_zone() == "Asia/Bangkok"
        assert day(EVENING_UTC) == "Dec 8, 2026"  # the local day, not UTC's 7th
        assert moment(EVENING_UTC) == "Dec 8, 2026, 3:30\u202fAM GMT+07:00"
        assert day(date(2026, 12, 7)) == "Dec 7, 2026"  # a calendar day never moves
        assert day(None) == ""
        assert moment(None) == ""
    finally:
        _done(context, locale)


def test_naive_moments_from_the_database_are_utc(app) -> None:
    manila = factories.make_agency(country="PH")
    context, locale = _as(app, manila, "en")
    try:
        assert moment(EVENING_UTC.replace(tzinfo=None)).startswith("Dec 8, 2026, 4:30")
    finally:
        _done(context, locale)


def test_each_language_has_its_own_format(app) -> None:
    agency = factories.make_agency(country="TH")
    context, locale = _as(app, agency, "th")
    try:
        shown = moment(EVENING_UTC)
        assert "ธ.ค." in shown  # Thai month abbreviation
        assert "03:30" in shown  # 24-hour clock
        assert day(date(2026, 12, 7)) == "7 ธ.ค. 2026"
    finally:
        _done(context, locale)


def test_an_agency_chosen_zone_wins_over_its_country(app) -> None:
    agency = factories.make_agency(country="ID")
    agency.time_zone = "Asia/Jayapura"
    context, locale = _as(app, agency, "en")
    try:
        assert moment(EVENING_UTC) == "Dec 8, 2026, 5:30\u202fAM GMT+09:00"
    finally:
        _done(context, locale)


def test_without_a_user_times_are_utc(app) -> None:
    with app.test_request_context(), force_locale("en"):
        assert select_time_zone() is None
        assert moment(EVENING_UTC) == "Dec 7, 2026, 8:30\u202fPM GMT+00:00"


TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_formats_a_date_by_hand(template) -> None:
    """Dates go through |day or |moment; `isoformat()` only in a machine-read attribute."""
    source = template.read_text(encoding="utf-8")
    assert "strftime" not in source
    by_hand = re.findall(r"\.isoformat\(\)(?!\s*}}\")", source)
    assert by_hand == []
    assert "UTC" not in re.sub(r"{#.*?#}", "", source, flags=re.S)
