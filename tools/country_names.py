"""Write the country names the case forms suggest, one file per language (decision 0111).

    .venv/bin/python tools/country_names.py

`casework/static/countries/<language>.json` holds every country's name in that language (a
JSON list, sorted as the reader reads), for each language of `config.LANGUAGES`. The page
fetches the file of its language (fingerprinted, cached for a year) and offers the names as
suggestions; the form does not carry them. Run it again when the countries, the languages or
Babel's CLDR data change: `tests/cases/test_country_fields.py` fails until the files match.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "casework" / "static" / "countries"


def content(language: str) -> str:
    from casework.vocab import country_names

    return json.dumps(country_names(language), ensure_ascii=False, separators=(",", ":")) + "\n"


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from config import BaseConfig

    FOLDER.mkdir(parents=True, exist_ok=True)
    for language in BaseConfig.LANGUAGES:
        (FOLDER / f"{language}.json").write_text(content(language), encoding="utf-8")
        print(f"wrote {FOLDER.relative_to(ROOT)}/{language}.json")


if __name__ == "__main__":
    main()
