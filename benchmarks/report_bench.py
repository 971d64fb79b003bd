"""The regional report template over 1,000,000 cases on PostgreSQL, side by side with the
bare GROUP BY it is built on.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/casework_c \\
        .venv/bin/python benchmarks/report_bench.py [--cases 1000000] [--rounds 7]

Loads N coded cases with COPY (no people, nothing encrypted: reports read coded columns
only; each with a consent to statistics and a victim status, so the default counting rule
counts them) into the database named by DATABASE_URL, which it empties first: give it a
database of its own. With --no-load it uses the cases already there (for example a database
filled by `flask seed --cases 1000000`). Then, alternating in one run, times
  bare:     the template's SELECT ... GROUP BY (citizenship x quarter over a year, region)
            executed and fetched, nothing else;
  dp:       the regional template as released by default: the same count through
            `count_table` (per person: one cell each), then OpenDP noise, non-negative
            post-processing and 95% intervals;
  standard: the same count made per agency (one GROUP BY that also finds the cells another
            agency could subtract), then suppression with the audit and keyed rounding.
Reports the medians, the ratios (goal <= 1.2x) and absolute times (goal < 2 s).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tqdm import tqdm

import casework.cases  # noqa: F401 - loads the packages in the order create_app does
from casework import create_app
from casework.core.extensions import db
from casework.crypto import generate_keyring, write_keyring_file
from casework.reports.disclosure import protect
from casework.reports.queries import count_statement, count_table, counts_and_dominated_cells
from casework.reports.request import REGION, Period, ReportRequest, Scope
from casework.reports.rounding import derive_rounding_key
from casework.reports.templates import DP_REPORT, TEMPLATES
from casework.vocab import AGE_BANDS, COUNTRY_CODES, GENDERS, IDENTIFICATION_CHANNELS

COUNTRIES = ("TH", "KH", "VN", "MM", "LA", "PH", "ID", "MY")
COLUMNS = (
    "id", "reference", "agency_id", "status", "identified_on", "identification_channel",
    "risk_level", "version", "created_at", "updated_at", "gender", "age_band", "citizenship",
    "trafficking_status",
)  # fmt: skip
CONSENT_COLUMNS = (
    "id", "case_id", "purpose", "given_on", "method", "created_at", "updated_at",
)  # fmt: skip


def load(cases: int) -> None:
    from casework.agencies.models import Agency

    db.drop_all()
    db.create_all()
    agencies = [Agency(name=f"Agency {c}", country=c, org_type="NGO") for c in COUNTRIES]
    db.session.add_all(agencies)
    db.session.commit()
    rng = random.Random(7)
    # A skewed spread of citizenships: a few large groups and a long tail of small ones.
    citizenship = list(COUNTRY_CODES[:60])
    weights = [1 / (i + 1) ** 1.3 for i in range(len(citizenship))]
    now = datetime.now(UTC).isoformat()
    start = date(2025, 1, 1)
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        copy_sql = f"COPY cases ({', '.join(COLUMNS)}) FROM STDIN"
        consent_sql = f"COPY consents ({', '.join(CONSENT_COLUMNS)}) FROM STDIN"
        batch = 100_000
        with tqdm(total=cases, unit="case", desc="COPY cases") as bar:
            for offset in range(0, cases, batch):
                buffer, consents = io.StringIO(), io.StringIO()
                chosen = rng.choices(citizenship, weights, k=min(batch, cases - offset))
                for i, cit in enumerate(chosen, start=offset):
                    agency = agencies[i % len(agencies)]
                    day = start + timedelta(days=rng.randrange(365))
                    case_id = uuid.uuid4()
                    buffer.write(
                        f"{case_id}\tBM-{i:09d}\t{agency.id}\tActive\t{day}\t"
                        f"{rng.choice(IDENTIFICATION_CHANNELS.codes)}\tmedium\t1\t{now}\t{now}\t"
                        f"{rng.choice(GENDERS.codes)}\t{rng.choice(AGE_BANDS.codes)}\t{cit}\t"
                        "PossibleVictimOfTrafficking\n"
                    )
                    consents.write(
                        f"{uuid.uuid4()}\t{case_id}\tstatistics\t{day}\tsigned_form\t{now}\t{now}\n"
                    )
                with cursor.copy(copy_sql) as copy:  # type: ignore[attr-defined]
                    copy.write(buffer.getvalue())
                with cursor.copy(consent_sql) as copy:  # type: ignore[attr-defined]
                    copy.write(consents.getvalue())
                bar.update(len(chosen))
        raw.commit()
        cursor.execute("ANALYZE cases")
        cursor.execute("ANALYZE consents")
        raw.commit()
    finally:
        raw.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--no-load", action="store_true", help="Reuse the cases already loaded.")
    parser.add_argument("--year", default="2025", help="The year tabulated (by quarter).")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own (it is emptied).")
    instance = tempfile.mkdtemp(prefix="report-bench-")
    key_file = Path(instance) / "keys.json"
    keyring = generate_keyring()
    write_keyring_file(key_file, keyring)
    app = create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "KEY_FILE": str(key_file),
         "INSTANCE_DIR": instance}
    )  # fmt: skip
    with app.app_context():
        if not args.no_load:
            load(args.cases)
        code = "victims_by_citizenship"
        request = ReportRequest(code, "cases", Scope(REGION), Period(args.year), "standard")
        private = ReportRequest(code, "cases", Scope(REGION), Period(args.year), "dp")
        statement = count_statement(request)
        rounding_key = derive_rounding_key(keyring)
        config = app.config
        share = config["REPORT_DP_EPSILON"] / len(DP_REPORT)

        def bare() -> None:
            db.session.execute(statement).all()

        def dp_template() -> None:
            protect(
                count_table(private, people_bound=TEMPLATES[code].sensitivity),
                k=config["REPORT_K"],
                rounding_base=config["REPORT_ROUNDING_BASE"],
                rounding_key=rounding_key,
                mode="dp",
                epsilon=share,
                sensitivity=TEMPLATES[code].sensitivity or 1,
            )

        def standard_template() -> None:
            table, dominated, known = counts_and_dominated_cells(request, config["REPORT_K"])
            protect(
                table,
                k=config["REPORT_K"],
                rounding_base=config["REPORT_ROUNDING_BASE"],
                rounding_key=rounding_key,
                rounding_context=("cases", "region", "", args.year, "bench"),
                shared_margins=True,
                sensitive=dominated,
                known_to=known,
            )

        runs = (("bare", bare), ("dp", dp_template), ("standard", standard_template))
        for _name, warm in runs:  # warm caches and the plan once each
            warm()
        times: dict[str, list[float]] = {name: [] for name, _ in runs}
        for _ in range(args.rounds):
            for name, run in runs:
                began = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - began)
        table = count_table(request)
        bare_s = statistics.median(times["bare"])
        print(f"cases counted: {table.population:,} ({args.cases:,} loaded or --no-load)")
        print(f"bare GROUP BY:    median {bare_s * 1000:8.1f} ms over {args.rounds} rounds")
        for name in ("dp", "standard"):
            took = statistics.median(times[name])
            print(
                f"regional template ({name}): median {took * 1000:8.1f} ms, "
                f"ratio {took / bare_s:.3f}x (goal <= 1.2x), absolute {took:.3f} s (goal < 2 s)"
            )


if __name__ == "__main__":
    main()
