"""Countries: ISO 3166-1 alpha-2 codes as HTCDS 2.0 lists them; names from Unicode CLDR."""

from __future__ import annotations

from babel import Locale
from flask_babel import get_locale

from casework.vocab.base import Vocabulary

# ISO 3166-1 alpha-2, in the order of HTCDS 2.0's citizenship list.
_HTCDS_ORDER = (
    "AF AX AL DZ AS AD AO AI AQ AG AR AM AW AU AT AZ BS BH BD BB BY BE BZ BJ "
    "BM BT BO BQ BA BW BV BR IO BN BG BF BI CV KH CM CA KY CF TD CL CN CX CC "
    "CO KM CG CD CK CR CI HR CU CW CY CZ DK DJ DM DO EC EG SV GQ ER EE SZ ET "
    "FK FO FJ FI FR GF PF TF GA GM GE DE GH GI GR GL GD GP GU GT GG GN GW GY "
    "HT HM VA HN HK HU IS IN ID IR IQ IE IM IL IT JM JP JE JO KZ KE KI KP KR "
    "KW KG LA LV LB LS LR LY LI LT LU MO MG MW MY MV ML MT MH MQ MR MU YT MX "
    "FM MD MC MN ME MS MA MZ MM NA NR NP NL NC NZ NI NE NG NU NF MK MP NO OM "
    "PK PW PS PA PG PY PE PH PN PL PT PR QA RE RO RU RW BL SH KN LC MF PM VC "
    "WS SM ST SA SN RS SC SL SG SX SK SI SB SO ZA GS SS ES LK SD SR SJ SE CH "
    "SY TW TJ TZ TH TL TG TK TO TT TN TR TM TC TV UG UA AE GB UM US UY UZ VU "
    "VE VN VG VI WF EH YE ZM ZW"
)
COUNTRY_CODES: tuple[str, ...] = tuple(_HTCDS_ORDER.split())


class _CountryName:
    """A country's name as a vocabulary label: read in the reader's language when shown."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __str__(self) -> str:
        return country_name(self.code)


def country_name(code: str | None, locale: str | None = None) -> str:
    """The country's name in the reader's language (CLDR), or the code if unknown."""
    if not code:
        return ""
    loc = Locale.parse(locale) if locale else (get_locale() or Locale("en"))
    return str(loc.territories.get(code, code))


def country_choices(
    blank: object | None = None, locale: str | None = None
) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name, in `locale` or the reader's language."""
    loc = Locale.parse(locale) if locale else (get_locale() or Locale("en"))
    items = sorted(
        ((code, str(loc.territories.get(code, code))) for code in COUNTRY_CODES),
        key=lambda item: item[1],
    )
    return ([("", str(blank))] if blank is not None else []) + items


def country_names(locale: str) -> list[str]:
    """Every country's name in `locale`, sorted as `country_choices` sorts them: the content of
    `casework/static/countries/<locale>.json`, the suggestions of the case forms' country
    fields (written by `tools/country_names.py`; decision 0111)."""
    return [name for _code, name in country_choices(locale=locale)]


# HTCDS 2.0 prs_Citizenship: several citizenships a person (CaseCode rows, decision 0098).
CITIZENSHIPS = Vocabulary("citizenship", [(code, _CountryName(code)) for code in COUNTRY_CODES])
