"""The reports' deployment settings, read and checked in one place.

* `REPORT_COUNTING_RULE`: who is counted. "consented" (the default, after GBVIMS practice:
  only people with a current consent to anonymised statistics) or "not_withdrawn" (everyone
  except people who withdrew that consent and gave none since).
* `REPORT_VICTIM_STATUSES`: the HTCDS trafficking statuses the "victims" tables count
  (default: possible and actual victims; a case with no status recorded is not counted).
* `REPORT_COUNTRIES`: the countries that tables over an open list of countries (citizenship,
  country of exploitation, referral flows) show one by one; every other country is counted
  under "Other countries". A fixed, public list: the set of published codes never depends on
  the data, so noise cannot invent a country and a hub can add tables of several
  installations row by row.
* `REPORT_ROUNDING_BASE`: at least 3 and below k (a base of 1 publishes exact figures, which
  secondary suppression alone does not protect across linked tables).

`check_report_settings` refuses bad values when the application starts (`create_app`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app

from casework.vocab import COUNTRY_CODES, TRAFFICKING_STATUSES

CONSENTED, NOT_WITHDRAWN = "consented", "not_withdrawn"
COUNTING_RULES = (CONSENTED, NOT_WITHDRAWN)
MIN_ROUNDING_BASE = 3
# The defaults live in config.py (REPORT_*): ASEAN, Timor-Leste and the main countries of
# origin beyond it; possible and actual victims; the consented counting rule.


class ReportSettingsError(RuntimeError):
    """Report settings the application must not start with."""


def _codes(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(code.strip().upper() for code in value.replace(",", " ").split())
    return tuple(str(code) for code in value)


def _status_codes(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(code.strip() for code in value.replace(",", " ").split())
    return tuple(str(code) for code in value)


def check_report_settings(settings: Mapping[str, Any]) -> None:
    """Refuse settings that would weaken disclosure control or count the wrong people."""
    problems = []
    k = int(settings.get("REPORT_K", 10))
    base = int(settings.get("REPORT_ROUNDING_BASE", 5))
    if k < 2:
        problems.append("REPORT_K must be at least 2")
    if base < MIN_ROUNDING_BASE or base >= k:
        problems.append(f"REPORT_ROUNDING_BASE must be at least {MIN_ROUNDING_BASE} and below k")
    if settings.get("REPORT_COUNTING_RULE", CONSENTED) not in COUNTING_RULES:
        problems.append(f"REPORT_COUNTING_RULE must be one of {', '.join(COUNTING_RULES)}")
    statuses = _status_codes(settings.get("REPORT_VICTIM_STATUSES", ""))
    if not statuses or any(code not in TRAFFICKING_STATUSES for code in statuses):
        problems.append("REPORT_VICTIM_STATUSES must list HTCDS trafficking status codes")
    countries = _codes(settings.get("REPORT_COUNTRIES", ""))
    if not countries or any(code not in COUNTRY_CODES for code in countries):
        problems.append("REPORT_COUNTRIES must list ISO 3166-1 alpha-2 codes")
    for name in ("REPORT_DP_EPSILON", "REPORT_DP_BUDGET", "REPORT_SYNTHETIC_EPSILON"):
        if name in settings and not float(settings[name]) > 0:
            problems.append(f"{name} must be positive")
    if problems:
        raise ReportSettingsError("Report settings refused: " + "; ".join(problems))


def counting_rule() -> str:
    return str(current_app.config["REPORT_COUNTING_RULE"])


def victim_statuses() -> tuple[str, ...]:
    return _status_codes(current_app.config["REPORT_VICTIM_STATUSES"])


def listed_countries() -> tuple[str, ...]:
    """The countries shown one by one, in the order of the vocabulary."""
    chosen = set(_codes(current_app.config["REPORT_COUNTRIES"]))
    return tuple(code for code in COUNTRY_CODES if code in chosen)
