"""Encryption at the model level, side by side with the same work unencrypted.

    .venv/bin/python benchmarks/encryption_bench.py load [--records 1000] [--rounds 5]
    .venv/bin/python benchmarks/encryption_bench.py rotate [--keys 100000]
    (DATABASE_URL=postgresql+psycopg://... to run on PostgreSQL; default a temporary SQLite)

load:   loading N records with 10 encrypted text fields each (query + reading every field),
        as a ratio to the same load from a table with 10 plain text columns. Goal <= 1.3x.
rotate: `keys rotate` over K data keys: wall time and peak memory, and peak memory at K/10
        for comparison (flat memory: the peak does not grow with K). Goal < 60 s for 100,000.

The benchmark models are declared here, in this process only; the application never sees them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil
from sqlalchemy import ForeignKey, String, insert, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework import create_app
from casework.core.db import Base, UUIDPrimaryKey
from casework.core.extensions import db
from casework.crypto import generate_keyring, new_data_key, write_keyring_file
from casework.encryption.fields import EncryptedRecord, OwnsDataKey, encrypted
from casework.encryption.models import DataKey

FIELDS = [f"f{i}" for i in range(10)]
VALUES = [
    "Nguyễn Thị Lan",
    "ນາງ ສີດາ",
    "1998-04-12",
    "P1234567",
    "+66 81 234 5678",
    "lan@example.org",
    "12 Moo 4, Mae Sot, Tak",
    "Vietnamese, Thai",
    "Mother: Tran Thi Hoa, +84 912 345 678",
    "Recruited through a broker who promised factory work in Bangkok.",
]


class BenchOwner(OwnsDataKey, UUIDPrimaryKey, Base):
    __tablename__ = "bench_owners"
    agency_id: Mapped[uuid.UUID] = mapped_column()


class BenchEncrypted(EncryptedRecord, UUIDPrimaryKey, Base):
    __tablename__ = "bench_encrypted"
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bench_owners.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column()
    f0 = encrypted(index="name")
    f1 = encrypted()
    f2 = encrypted(index="date")
    f3 = encrypted(index="identity")
    f4 = encrypted(index="phone")
    f5 = encrypted()
    f6 = encrypted()
    f7 = encrypted()
    f8 = encrypted()
    f9 = encrypted()

    owner: Mapped[BenchOwner] = relationship()  # as real child records reach their case

    def key_owner(self) -> OwnsDataKey:
        return self.owner


class BenchPlain(UUIDPrimaryKey, Base):
    __tablename__ = "bench_plain"
    agency_id: Mapped[uuid.UUID] = mapped_column()
    f0: Mapped[str] = mapped_column(String(200))
    f1: Mapped[str] = mapped_column(String(200))
    f2: Mapped[str] = mapped_column(String(200))
    f3: Mapped[str] = mapped_column(String(200))
    f4: Mapped[str] = mapped_column(String(200))
    f5: Mapped[str] = mapped_column(String(200))
    f6: Mapped[str] = mapped_column(String(200))
    f7: Mapped[str] = mapped_column(String(200))
    f8: Mapped[str] = mapped_column(String(200))
    f9: Mapped[str] = mapped_column(String(200))


def make_app(workdir: Path):  # type: ignore[no-untyped-def]
    write_keyring_file(workdir / "keys.json", generate_keyring())
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app(
        {
            "ENV_NAME": "testing",
            "INSTANCE_DIR": str(workdir),
            "SQLALCHEMY_DATABASE_URI": url,
            "KEY_FILE": str(workdir / "keys.json"),
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def bench_load(records: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        with app.app_context():
            agency = uuid.uuid4()
            for _ in range(records):
                owner = BenchOwner(agency_id=agency)
                db.session.add(owner)
                db.session.flush()
                row = BenchEncrypted(owner=owner, agency_id=agency)
                for name, value in zip(FIELDS, VALUES, strict=True):
                    setattr(row, name, value)
                db.session.add(row)
                db.session.add(
                    BenchPlain(agency_id=agency, **dict(zip(FIELDS, VALUES, strict=True)))
                )
            db.session.commit()

            def load(model: type) -> float:
                db.session.expunge_all()
                start = time.perf_counter()
                rows = db.session.scalars(select(model)).all()
                if model is BenchEncrypted:
                    owners = {o.id: o for o in db.session.scalars(select(BenchOwner)).all()}
                    assert len(owners) == records
                total = sum(len(getattr(r, name)) for r in rows for name in FIELDS)
                elapsed = time.perf_counter() - start
                assert total > 0
                return elapsed

            plain, enc = [], []
            load(BenchPlain), load(BenchEncrypted)  # warm up
            for _ in range(rounds):
                plain.append(load(BenchPlain))
                enc.append(load(BenchEncrypted))
            p, e = statistics.median(plain), statistics.median(enc)
            print(f"database: {db.engine.dialect.name}; records: {records}; rounds: {rounds}")
            print(f"plain load     {p * 1000:8.1f} ms")
            print(f"encrypted load {e * 1000:8.1f} ms   ratio {e / p:.2f}x (goal <= 1.3x)")


def bench_rotate(count: int) -> None:
    from casework.encryption import keys

    def run(n: int) -> tuple[float, float]:
        with tempfile.TemporaryDirectory() as tmp:
            app = make_app(Path(tmp))
            with app.app_context():
                wrapper = keys.wrapper()
                rows = []
                for _ in range(n):
                    key = DataKey(id=uuid.uuid4())
                    rows.append(
                        {
                            "id": key.id,
                            "kek_id": wrapper.active_key_id,
                            "wrapped": wrapper.wrap(new_data_key(), key.context()),
                        }
                    )
                    if len(rows) == 5000:
                        db.session.execute(insert(DataKey), rows)
                        rows = []
                if rows:
                    db.session.execute(insert(DataKey), rows)
                db.session.commit()
                db.session.expunge_all()
                process = psutil.Process()
                base = process.memory_info().rss
                peak = [base]
                stop = threading.Event()

                def sample() -> None:
                    while not stop.is_set():
                        peak[0] = max(peak[0], process.memory_info().rss)
                        time.sleep(0.02)

                sampler = threading.Thread(target=sample)
                sampler.start()
                start = time.perf_counter()
                result = app.test_cli_runner().invoke(args=["keys", "rotate", "--no-progress"])
                elapsed = time.perf_counter() - start
                stop.set()
                sampler.join()
                assert result.exit_code == 0, result.output
                left = db.session.scalar(
                    select(db.func.count()).where(DataKey.kek_id != keys.wrapper().active_key_id)
                )
                assert left == 0
                return elapsed, (peak[0] - base) / 2**20

    small_t, small_m = run(count // 10)
    big_t, big_m = run(count)
    print(f"database: {os.environ.get('DATABASE_URL', 'sqlite').split(':')[0]}")
    print(f"rotate {count // 10:>7} data keys: {small_t:6.1f} s, peak memory +{small_m:6.1f} MiB")
    print(f"rotate {count:>7} data keys: {big_t:6.1f} s, peak memory +{big_m:6.1f} MiB")
    print("goal: under 60 s for 100,000, and the same peak memory for both sizes")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="what", required=True)
    load = sub.add_parser("load")
    load.add_argument("--records", type=int, default=1000)
    load.add_argument("--rounds", type=int, default=5)
    rotate = sub.add_parser("rotate")
    rotate.add_argument("--keys", type=int, default=100_000)
    args = parser.parse_args()
    if args.what == "load":
        bench_load(args.records, args.rounds)
    else:
        bench_rotate(args.keys)


if __name__ == "__main__":
    main()
