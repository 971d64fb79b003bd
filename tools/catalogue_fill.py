"""Fill translations into one language's catalogue from a JSON file (a translator's tool).

    python tools/catalogue_fill.py LANG FILE.json

FILE.json is a list of {"id": msgid (a list [singular, plural] for plural messages),
"ctx": msgctxt or null, "str": translation (a list, one per plural form, for plurals)}.
Entries of the catalogue not named keep their translation; an entry named but absent from the
catalogue is refused (run `make translations` first). Placeholders are checked before writing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casework.web.catalogues import placeholder_problems  # noqa: E402


def main(language: str, source: str) -> int:
    path = ROOT / "casework" / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    problems = []
    for entry in json.loads(Path(source).read_text(encoding="utf-8")):
        message_id = tuple(entry["id"]) if isinstance(entry["id"], list) else entry["id"]
        key = message_id[0] if isinstance(message_id, tuple) else message_id
        message = catalogue.get(key, entry.get("ctx"))
        if message is None:
            problems.append(f"not in the catalogue: {key!r}")
            continue
        string = entry["str"]
        if isinstance(message.id, tuple):
            forms = string if isinstance(string, list) else [string]
            forms = forms + [forms[-1]] * (catalogue.num_plurals - len(forms))
            message.string = tuple(forms[: catalogue.num_plurals])
        else:
            message.string = string
        message.flags.discard("fuzzy")
        problems += [f"{key!r}: {p}" for p in placeholder_problems(message.id, message.string)]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    with path.open("wb") as handle:
        write_po(handle, catalogue, width=76, omit_header=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
