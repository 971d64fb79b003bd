"""Weight of the pages a caseworker opens most: bytes of HTML and <option> elements.

    .venv/bin/python benchmarks/page_weight.py [--path /cases/new ...]

Builds a throw-away app (SQLite in a temporary folder), signs a caseworker in the way the
tests do, and fetches each page once. Run it on two checkouts to compare before and after.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.conftest import _compile_translations, build_app, sign_in

OPTION = re.compile(rb"<option[\s>]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", action="append", default=None)
    args = parser.parse_args()
    paths = args.path or ["/cases/new"]
    _compile_translations()
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(folder)
        with app.app_context():
            db.create_all()
            account = factories.make_user(Role.CASEWORKER)
            db.session.commit()
            client = app.test_client()
            sign_in(client, account)
            print(f"{'page':<24} {'HTML bytes':>11} {'gzip bytes':>11} {'<option>':>9}")
            for path in paths:
                body = client.get(path).get_data()
                gzipped = len(gzip.compress(body, 6))
                print(f"{path:<24} {len(body):>11,} {gzipped:>11,} {len(OPTION.findall(body)):>9,}")


if __name__ == "__main__":
    main()
