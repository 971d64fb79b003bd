"""Controlled vocabularies: one source for forms, validation, display and reports.

Written for Casework from the Human Trafficking Case Data Standard (HTCDS) 2.0 by IOM
(CC BY 4.0) and ISO 3166-1; see README "Credits". Labels are translatable: codes are stored,
labels are shown. Country names come from the Unicode CLDR through Babel, in the reader's
language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from casework.policy import Role


@dataclass(frozen=True)
class Term:
    code: str
    label: object  # a lazy translatable string


class Vocabulary:
    """An ordered code list. `choices()` feeds WTForms; `label(code)` displays a code."""

    def __init__(self, name: str, terms: Iterable[tuple[str, object]]) -> None:
        self.name = name
        self.terms = tuple(Term(code, label) for code, label in terms)
        self._by_code = {t.code: t for t in self.terms}

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.terms)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)

    def label(self, code: str | None) -> str:
        if code is None:
            return ""
        term = self._by_code.get(code)
        return str(term.label) if term else code

    def choices(self, blank: object | None = None) -> list[tuple[str, str]]:
        items = [(t.code, str(t.label)) for t in self.terms]
        return ([("", str(blank))] if blank is not None else []) + items


# HTCDS 2.0 org_Type
ORGANISATION_TYPES = Vocabulary(
    "organisation_type",
    [
        ("NGO", _l("NGO")),
        ("LawEnforcement", _l("Law enforcement")),
        ("HealthServiceOrganisation", _l("Health service organisation")),
        ("CentralGovernmentOrganisation", _l("Central government organisation")),
        ("LocalGovernmentOrganisation", _l("Local government organisation")),
        ("ImmigrationService", _l("Immigration service")),
        ("LegalService", _l("Legal service")),
        ("CorporateBusiness", _l("Corporate business")),
        ("SchoolOrCollege", _l("School or college")),
        ("InternationalOrganisation", _l("International organisation")),
    ],
)

ROLES = Vocabulary(
    "role",
    [
        (Role.CASEWORKER.value, _l("Caseworker")),
        (Role.SUPERVISOR.value, _l("Supervisor")),
        (Role.PARTNER.value, _l("Partner (service provider)")),
        (Role.COORDINATOR.value, _l("Coordinator")),
        (Role.ADMIN.value, _l("Administrator")),
    ],
)

# ISO 3166-1 alpha-2, as listed by HTCDS 2.0 (citizenship).
COUNTRY_CODES: tuple[str, ...] = (
    "AF",
    "AX",
    "AL",
    "DZ",
    "AS",
    "AD",
    "AO",
    "AI",
    "AQ",
    "AG",
    "AR",
    "AM",
    "AW",
    "AU",
    "AT",
    "AZ",
    "BS",
    "BH",
    "BD",
    "BB",
    "BY",
    "BE",
    "BZ",
    "BJ",
    "BM",
    "BT",
    "BO",
    "BQ",
    "BA",
    "BW",
    "BV",
    "BR",
    "IO",
    "BN",
    "BG",
    "BF",
    "BI",
    "CV",
    "KH",
    "CM",
    "CA",
    "KY",
    "CF",
    "TD",
    "CL",
    "CN",
    "CX",
    "CC",
    "CO",
    "KM",
    "CG",
    "CD",
    "CK",
    "CR",
    "CI",
    "HR",
    "CU",
    "CW",
    "CY",
    "CZ",
    "DK",
    "DJ",
    "DM",
    "DO",
    "EC",
    "EG",
    "SV",
    "GQ",
    "ER",
    "EE",
    "SZ",
    "ET",
    "FK",
    "FO",
    "FJ",
    "FI",
    "FR",
    "GF",
    "PF",
    "TF",
    "GA",
    "GM",
    "GE",
    "DE",
    "GH",
    "GI",
    "GR",
    "GL",
    "GD",
    "GP",
    "GU",
    "GT",
    "GG",
    "GN",
    "GW",
    "GY",
    "HT",
    "HM",
    "VA",
    "HN",
    "HK",
    "HU",
    "IS",
    "IN",
    "ID",
    "IR",
    "IQ",
    "IE",
    "IM",
    "IL",
    "IT",
    "JM",
    "JP",
    "JE",
    "JO",
    "KZ",
    "KE",
    "KI",
    "KP",
    "KR",
    "KW",
    "KG",
    "LA",
    "LV",
    "LB",
    "LS",
    "LR",
    "LY",
    "LI",
    "LT",
    "LU",
    "MO",
    "MG",
    "MW",
    "MY",
    "MV",
    "ML",
    "MT",
    "MH",
    "MQ",
    "MR",
    "MU",
    "YT",
    "MX",
    "FM",
    "MD",
    "MC",
    "MN",
    "ME",
    "MS",
    "MA",
    "MZ",
    "MM",
    "NA",
    "NR",
    "NP",
    "NL",
    "NC",
    "NZ",
    "NI",
    "NE",
    "NG",
    "NU",
    "NF",
    "MK",
    "MP",
    "NO",
    "OM",
    "PK",
    "PW",
    "PS",
    "PA",
    "PG",
    "PY",
    "PE",
    "PH",
    "PN",
    "PL",
    "PT",
    "PR",
    "QA",
    "RE",
    "RO",
    "RU",
    "RW",
    "BL",
    "SH",
    "KN",
    "LC",
    "MF",
    "PM",
    "VC",
    "WS",
    "SM",
    "ST",
    "SA",
    "SN",
    "RS",
    "SC",
    "SL",
    "SG",
    "SX",
    "SK",
    "SI",
    "SB",
    "SO",
    "ZA",
    "GS",
    "SS",
    "ES",
    "LK",
    "SD",
    "SR",
    "SJ",
    "SE",
    "CH",
    "SY",
    "TW",
    "TJ",
    "TZ",
    "TH",
    "TL",
    "TG",
    "TK",
    "TO",
    "TT",
    "TN",
    "TR",
    "TM",
    "TC",
    "TV",
    "UG",
    "UA",
    "AE",
    "GB",
    "UM",
    "US",
    "UY",
    "UZ",
    "VU",
    "VE",
    "VN",
    "VG",
    "VI",
    "WF",
    "EH",
    "YE",
    "ZM",
    "ZW",
)


def country_name(code: str | None, locale: str | None = None) -> str:
    """The country's name in the reader's language (CLDR), or the code if unknown."""
    if not code:
        return ""
    loc = Locale.parse(locale) if locale else (get_locale() or Locale("en"))
    return str(loc.territories.get(code, code))


def country_choices(blank: object | None = None) -> list[tuple[str, str]]:
    loc = get_locale() or Locale("en")
    items = sorted(
        ((code, str(loc.territories.get(code, code))) for code in COUNTRY_CODES),
        key=lambda item: item[1],
    )
    return ([("", str(blank))] if blank is not None else []) + items
