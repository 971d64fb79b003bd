"""Writing and restoring database dumps: pg_dump/pg_restore, or SQLite's online backup."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import URL

from casework.backup.manifest import (
    FORMAT,
    SUFFIXES,
    BackupError,
    Manifest,
    check_dump,
    manifest_path,
    sha256_of,
)
from casework.core import VERSION
from casework.core.extensions import db

Progress = Callable[[int, int], None]  # (done, total) pages, for a progress bar


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq address without the password, and the environment that carries it (so the
    password never shows in the process list)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return dsn, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - fixed argument list, no shell
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{Path(command[0]).name} failed: {detail[-1] if detail else ''}")


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def key_ids_in_use() -> list[str]:
    from casework.encryption.models import DataKey

    if not inspect(db.engine).has_table(DataKey.__tablename__):
        return []
    rows = db.session.scalars(
        select(DataKey.kek_id).where(DataKey.wrapped.is_not(None)).group_by(DataKey.kek_id)
    )
    return sorted(rows)


def attachment_counts() -> tuple[int | None, int | None]:
    """Attachments in the database, and those still stored as files on disk (not dumped)."""
    from casework.cases.models import Attachment

    if not inspect(db.engine).has_table(Attachment.__tablename__):
        return None, None
    total = db.session.scalar(select(func.count()).select_from(Attachment)) or 0
    on_disk = db.session.scalar(
        select(func.count()).select_from(Attachment).where(Attachment.storage_name.is_not(None))
    )
    return total - (on_disk or 0), on_disk or 0


def current_revision() -> str | None:
    if not inspect(db.engine).has_table("alembic_version"):
        return None
    from sqlalchemy import text

    return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check_apart_from_keys(folder: Path, key_file: Path) -> None:
    """A backup never sits with the key file: neither folder may contain the other."""
    folder, keys = folder.resolve(), key_file.resolve().parent
    if folder == keys or keys in folder.parents or folder in keys.parents:
        raise BackupError(
            f"the backup folder {str(folder)!r} and the key file's folder {str(keys)!r} "
            "overlap: keep backups apart from the key file (choose another --output)"
        )


def create_backup(folder: Path, key_file: Path, progress: Progress | None = None) -> Path:
    """Dump the configured database into `folder`; return the dump's path."""
    check_apart_from_keys(folder, key_file)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    url = db.engine.url
    dialect = url.get_backend_name()
    if dialect not in SUFFIXES:
        raise BackupError(f"backups of {dialect} databases are not supported")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    dump = folder / f"casework-{stamp}{SUFFIXES[dialect]}"
    partial = dump.with_name(dump.name + ".partial")
    from casework.encryption import keys

    key_ids, revision = key_ids_in_use(), current_revision()
    in_database, on_disk = attachment_counts()
    index_key_id = keys.keyring().index_key_id
    index_key_ids = list(keys.keyring().search_index_key_ids)
    db.session.rollback()
    # Created private before anything is written to it: a dump killed half-way is never
    # readable by others (pg_dump and SQLite write into the existing file, keeping its mode).
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
    try:
        if dialect == "postgresql":
            dsn, env = _libpq(url)
            command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
            _run([*command, f"--file={partial}", f"--dbname={dsn}"], env)
        else:
            _sqlite_copy(_sqlite_path(url), partial, progress)
        partial.chmod(0o600)
        partial.rename(dump)
    finally:
        partial.unlink(missing_ok=True)
    Manifest(
        format=FORMAT,
        dialect=dialect,
        file=dump.name,
        bytes=dump.stat().st_size,
        sha256=sha256_of(dump),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        revision=revision,
        key_ids=key_ids,
        app_version=VERSION,
        index_key_id=index_key_id,
        index_key_ids=index_key_ids,
        attachments=in_database,
        attachments_on_disk=on_disk,
    ).write(manifest_path(dump))
    return dump


def _sqlite_copy(source: Path, target: Path, progress: Progress | None) -> None:
    """SQLite's online backup: a consistent copy while the application keeps running."""
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    writer = sqlite3.connect(target)
    try:
        reader.backup(
            writer,
            pages=256,
            progress=(lambda _status, remaining, total: progress(total - remaining, total))
            if progress
            else None,
        )
    finally:
        writer.close()
        reader.close()


def database_is_empty() -> bool:
    names = set(inspect(db.engine).get_table_names())
    if not names:
        return True
    from casework.auth.models import User

    return User.__tablename__ not in names or not db.session.scalar(
        select(func.count()).select_from(User)
    )


def restore_backup(dump: Path, *, replace: bool, progress: Progress | None = None) -> Manifest:
    """Restore `dump` into the configured database (which must be empty unless `replace`)."""
    from casework.encryption import keys

    manifest = Manifest.read(manifest_path(dump))
    check_dump(dump, manifest)
    url = db.engine.url
    if manifest.dialect != url.get_backend_name():
        raise BackupError(
            f"this is a {manifest.dialect} backup; the configured database is "
            f"{url.get_backend_name()}"
        )
    ring = keys.keyring()
    missing = sorted(set(manifest.key_ids) - set(ring.key_ids))
    if missing:
        raise BackupError(
            f"the backup's data needs key(s) {', '.join(missing)}, which the keyring lacks: "
            "restore the key file that goes with this backup first"
        )
    needed = manifest.index_key_ids or (
        [manifest.index_key_id] if manifest.index_key_id is not None else []
    )
    lacking = [name for name in needed if name not in ring.search_index_key_ids]
    if lacking:
        # Everything would decrypt, and no search would find anyone (issue 13); a backup taken
        # during an unfinished `rotate-index` needs both of its index keys.
        raise BackupError(
            f"the backup's search indexes need the blind-index key {', '.join(lacking)}; "
            f"the key file's index key is {ring.index_key_id} (a key file from before or "
            "after `keys rotate-index`?): restore the key file that goes with this backup first"
        )
    empty = database_is_empty()
    db.session.rollback()
    if not empty and not replace:
        raise BackupError("the database is not empty: pass --replace to overwrite it")
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the database during the restore
    if manifest.dialect == "postgresql":
        dsn, env = _libpq(url)
        command = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
        command += ["--single-transaction", f"--dbname={dsn}"]
        if not empty:
            command += ["--clean", "--if-exists"]
        _run([*command, str(dump)], env)
    else:
        target = _sqlite_path(url)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _sqlite_copy(dump, target, progress)
    return manifest
