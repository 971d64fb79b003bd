"""`flask backup drill`: restore a dump into a scratch database, check everything, drop it.

The scratch database is a SQLite file in a temporary folder, or a PostgreSQL database named
after the configured one with a `_drill` suffix (created, and dropped afterwards, on the same
server, with the configured credentials). The restore and the checks run in a second
application built with the same settings and the same key file, pointed at the scratch
database (decision 0074): the configured database gives its URL and is never written.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from casework.backup.dump import restore_backup
from casework.backup.manifest import BackupError, Manifest, manifest_path
from casework.backup.verify import Verification, verify_database
from casework.core.extensions import db

DRILL_SUFFIX = "_drill"


@dataclass
class Drill:
    dump: Path
    manifest: Manifest
    scratch: str  # where it was restored (a database name or a file name; never a password)
    verification: Verification
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.verification.ok and not self.problems


def newest_dump(folder: Path) -> Path:
    """The dump of the newest manifest in `folder` whose dump is beside it."""
    found: list[tuple[str, Path]] = []
    for path in folder.glob("casework-*.json"):
        try:
            manifest = Manifest.read(path)
        except BackupError:
            continue
        dump = path.with_name(manifest.file)
        if dump.is_file():
            found.append((manifest.created_at, dump))
    if not found:
        raise BackupError(f"no backup in {str(folder)!r} (a dump with its manifest beside it)")
    return max(found)[1]


def scratch_name(url: URL) -> str:
    return f"{url.database}{DRILL_SUFFIX}"


@contextmanager
def scratch_database(url: URL) -> Iterator[URL]:
    """A new, empty database beside the configured one; dropped (or deleted) afterwards."""
    if url.get_backend_name() == "sqlite":
        with tempfile.TemporaryDirectory(prefix="casework-drill-") as folder:
            yield url.set(database=str(Path(folder) / "drill.sqlite3"))
        return
    import psycopg
    from psycopg import sql

    name = scratch_name(url)
    admin = url.set(drivername="postgresql", database="postgres")
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(drop)  # a drill killed before its end left it
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.set(database=name)
    finally:
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(drop)


def _counts() -> dict[str, int]:
    from casework.audit.models import AuditEvent
    from casework.auth.models import User
    from casework.cases.models import Attachment, Case, Person

    models = {"users": User, "cases": Case, "people": Person, "attachments": Attachment}
    models["audit events"] = AuditEvent
    return {
        label: int(db.session.scalar(select(func.count()).select_from(model)) or 0)
        for label, model in models.items()
    }


def _scratch_app(live: Flask, url: URL) -> Flask:
    # The package's lazy entry point (as devdata/federation_demo.py): casework.app wires the
    # features, this one among them, so a feature never imports it directly.
    from casework import create_app

    settings = {key: value for key, value in live.config.items() if key.isupper()}
    settings["SQLALCHEMY_DATABASE_URI"] = url.render_as_string(hide_password=False)
    return create_app(settings)


def run_drill(dump: Path | None = None, *, show_progress: bool = False) -> Drill:
    """Restore `dump` (default: the newest in BACKUP_DIR) into a scratch database, verify it
    (every value and attachment decrypts, every search index matches, the audit chain is
    intact), count what it holds, and drop it."""
    live: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    dump = dump or newest_dump(Path(live.config["BACKUP_DIR"]))
    manifest = Manifest.read(manifest_path(dump))
    url = db.engine.url
    db.session.rollback()
    with scratch_database(url) as scratch_url:
        scratch = _scratch_app(live, scratch_url)
        try:
            with scratch.app_context():
                restore_backup(dump, replace=False)
                verification = verify_database(show_progress=show_progress)
                counts = _counts()
                db.session.rollback()
        finally:
            with scratch.app_context():
                db.session.remove()
                db.engine.dispose()
    where = (
        Path(scratch_url.database or "").name
        if url.get_backend_name() == "sqlite"
        else (scratch_url.database or "")
    )
    drill = Drill(dump, manifest, where, verification, counts)
    expected = manifest.attachments
    if expected is not None and verification.attachments_read != expected:
        drill.problems.append(
            f"the manifest counts {expected} attachment(s) in the dump; "
            f"{verification.attachments_read} decrypted"
        )
    return drill
