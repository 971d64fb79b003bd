"""Attachments in the database (decision 0073): a download's peak memory whatever the file's
size (flat memory: the peak does not grow with the file), and the throughput of storing,
downloading and `attachments migrate`.

    .venv/bin/python benchmarks/attachment_bench.py [--sizes 1,10,40] [--files 20]
    (DATABASE_URL=postgresql+psycopg://... for PostgreSQL; default a temporary SQLite)

The download is measured as the view streams it: `open_attachment`'s generator, one stored
chunk fetched per chunk sent, the plaintext dropped as a client would take it. Peak memory is
tracemalloc's (Python allocations, including the database driver's buffers).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from casework import create_app
from casework.cases.attachments import operations as attachments
from casework.cases.attachments.store import attachment_store
from casework.cases.models import Attachment
from casework.core.extensions import db
from casework.crypto import generate_keyring, write_keyring_file
from casework.encryption.storage import seal_file, store_file
from casework.policy import Role
from tests import factories

MB = 1024 * 1024


def make_app(workdir: Path):  # type: ignore[no-untyped-def]
    write_keyring_file(workdir / "keys.json", generate_keyring())
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app(
        {
            "ENV_NAME": "testing",
            "INSTANCE_DIR": str(workdir),
            "SQLALCHEMY_DATABASE_URI": url,
            "KEY_FILE": str(workdir / "keys.json"),
            "ATTACHMENT_DIR": str(workdir / "attachments"),
            "MAX_ATTACHMENT_BYTES": 100 * MB,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def _attachment(case, size: int, *, on_disk: bool = False) -> tuple[Attachment, float]:  # type: ignore[no-untyped-def]
    content = io.BytesIO(os.urandom(size))
    attachment = Attachment(
        case_id=case.id, kind="other", content_type="application/pdf", size=size
    )
    started = time.perf_counter()
    with db.session.no_autoflush:
        attachment.case = case
        if on_disk:
            stored = store_file(attachment, content)
            attachment.storage_name, attachment.wrapped_key = (
                stored.storage_name,
                stored.wrapped_key,
            )
        else:
            sealed = seal_file(attachment, content)
            attachment.wrapped_key = sealed.wrapped_key
        attachment.filename = "bench.pdf"
    db.session.add(attachment)
    db.session.flush()
    if not on_disk:
        attachment_store().put(attachment.id, sealed.pieces)
    db.session.commit()
    return attachment, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,10,40", help="file sizes in MB")
    parser.add_argument("--files", type=int, default=20, help="1 MB files for the migration")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        with app.app_context():
            agency = factories.make_agency()
            reader = factories.make_user(Role.SUPERVISOR, agency).user
            case = factories.make_case(agency)
            db.session.commit()
            print(f"database: {db.engine.dialect.name}")
            print("size | store | download | download peak memory (tracemalloc)")
            for size_mb in (int(x) for x in args.sizes.split(",")):
                attachment, stored = _attachment(case, size_mb * MB)
                tracemalloc.start()
                started = time.perf_counter()
                received = 0
                for block in attachments.open_attachment(reader, attachment):
                    received += len(block)
                took = time.perf_counter() - started
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                db.session.commit()
                assert received == size_mb * MB
                print(
                    f"{size_mb} MB | {size_mb / stored:.0f} MB/s | {size_mb / took:.0f} MB/s "
                    f"| {peak / MB:.2f} MB"
                )
            for _ in range(args.files):
                _attachment(case, MB, on_disk=True)
            count = db.session.scalar(
                select(db.func.count())
                .select_from(Attachment)
                .where(Attachment.storage_name.is_not(None))
            )
            db.session.commit()
            started = time.perf_counter()
            result = app.test_cli_runner().invoke(args=["attachments", "migrate", "--no-progress"])
            took = time.perf_counter() - started
            assert result.exit_code == 0, result.output
            rate = count / took
            print(f"attachments migrate: {count} files of 1 MB in {took:.1f} s ({rate:.1f}/s)")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
