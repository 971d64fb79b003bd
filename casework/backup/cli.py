"""`flask --app wsgi backup create | restore | verify`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from tqdm import tqdm

from casework.backup.dump import create_backup, restore_backup
from casework.backup.manifest import BackupError, Manifest, manifest_path
from casework.backup.verify import Verification, verify_database

# An AppGroup: each command runs in the context of the app the command line loaded.
backup_group = AppGroup("backup", help="Database backups, kept apart from the key file.")


class _Bar:
    """A tqdm bar driven by (done, total) page counts."""

    def __init__(self, desc: str) -> None:
        self.bar = tqdm(desc=desc, unit="page")

    def __call__(self, done: int, total: int) -> None:
        self.bar.total = total
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


def _report(result: Verification) -> None:
    click.echo(
        f"Encrypted values read: {result.fields_read}"
        + (
            f" ({result.shredded} of shredded records, unreadable by design)"
            if result.shredded
            else ""
        )
    )
    click.echo(
        f"Attachments read: {result.attachments_read}, every chunk decrypted "
        f"({result.attachment_bytes / (1024 * 1024):.1f} MB)."
    )
    click.echo(f"Audit trail: {result.audit_events} events verified.")
    click.echo(f"Search indexes checked: {result.indexes_checked}.")
    for where in result.stale_indexes[:20]:
        click.echo(f"Search index does not match (wrong index key?): {where}", err=True)
    if len(result.stale_indexes) > 20:
        click.echo(f"... and {len(result.stale_indexes) - 20} more search indexes", err=True)
    for where in result.attachments_on_disk[:20]:
        click.echo(f"Not in the database (a file on disk, not in backups): {where}", err=True)
    if result.attachments_on_disk:
        click.echo(
            f"{len(result.attachments_on_disk)} attachment(s) are still files on disk: run "
            "`flask --app wsgi attachments migrate` so that backups carry them.",
            err=True,
        )
    for where in result.attachments_missing[:20]:
        click.echo(f"Attachment content missing: {where}", err=True)
    if len(result.attachments_missing) > 20:
        click.echo(f"... and {len(result.attachments_missing) - 20} more", err=True)
    for where in result.missing[:20]:
        click.echo(f"Missing (NULL on a live record): {where}", err=True)
    if len(result.missing) > 20:
        click.echo(f"... and {len(result.missing) - 20} more missing values", err=True)
    for problem in result.key_problems:
        click.echo(f"Key problem: {problem}", err=True)
    for where in result.unreadable[:20]:
        click.echo(f"Unreadable: {where}", err=True)
    if len(result.unreadable) > 20:
        click.echo(f"... and {len(result.unreadable) - 20} more unreadable values", err=True)
    if result.audit_problem:
        click.echo(f"Audit trail BROKEN at {result.audit_problem}.", err=True)
    if not result.ok:
        raise click.ClickException("The database is NOT fully readable with this keyring.")
    click.echo("Every encrypted value decrypts and the audit trail is intact.")


@backup_group.command("create")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the dump and its manifest (default: BACKUP_DIR). Never the key folder.",
)
def create(output: Path | None) -> None:
    """Dump the database (pg_dump, or SQLite's online backup) with a manifest beside it."""
    folder = output or Path(current_app.config["BACKUP_DIR"])
    bar = _Bar("backup")
    try:
        dump = create_backup(folder, Path(current_app.config["KEY_FILE"]), progress=bar)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        bar.close()
    click.echo(f"Backup written: {dump} (manifest {dump.name}.json beside it).")
    manifest = Manifest.read(manifest_path(dump))
    click.echo(f"Attachments in it: {manifest.attachments or 0}.")
    if manifest.attachments_on_disk:
        click.echo(
            f"WARNING: {manifest.attachments_on_disk} attachment(s) are still files on disk and "
            "are NOT in this backup: run `flask --app wsgi attachments migrate`.",
            err=True,
        )
    click.echo("It holds no key material. Back up the key file separately, and never with it.")


@backup_group.command("restore")
@click.argument("dump", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite a database that already has data.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (with --replace).")
@click.option("--no-verify", is_flag=True, help="Skip reading every encrypted value afterwards.")
def restore(dump: Path, replace: bool, yes: bool, no_verify: bool) -> None:
    """Restore DUMP into the configured database, then check that everything decrypts."""
    if replace and not yes:
        click.confirm(
            "This REPLACES every row of the configured database with the backup. Go on?",
            abort=True,
        )
    bar = _Bar("restore")
    try:
        manifest = restore_backup(dump, replace=replace, progress=bar)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        bar.close()
    click.echo(
        f"Restored {manifest.file} (taken {manifest.created_at}, revision {manifest.revision})."
    )
    if not no_verify:
        _report(verify_database(show_progress=True))


@backup_group.command("verify")
def verify() -> None:
    """Read every encrypted value and walk the audit chain of the configured database."""
    _report(verify_database(show_progress=True))


@backup_group.command("drill")
@click.argument(
    "dump", required=False, type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
def drill(dump: Path | None) -> None:
    """Restore DUMP (default: the newest in BACKUP_DIR) into a scratch database, check it
    fully, report, and drop the scratch database. The configured database is not touched.

    The scratch database is a SQLite file in a temporary folder, or, on PostgreSQL, the
    configured database's name with `_drill` (created and dropped on the same server). Exit
    status 0 only when everything restored decrypts and verifies.
    """
    from casework.backup.drill import run_drill

    try:
        result = run_drill(dump, show_progress=True)
    except BackupError as exc:
        raise click.ClickException(f"Drill FAILED: {exc}") from None
    manifest = result.manifest
    click.echo(
        f"Drill: {manifest.file} (taken {manifest.created_at}, revision {manifest.revision}) "
        f"restored into {result.scratch}, which has been dropped."
    )
    click.echo("Restored: " + ", ".join(f"{n} {label}" for label, n in result.counts.items()))
    for problem in result.problems:
        click.echo(f"Problem: {problem}", err=True)
    try:
        _report(result.verification)
    except click.ClickException:
        raise click.ClickException("Drill FAILED: the restored copy is NOT fully usable.") from None
    if result.problems:
        raise click.ClickException("Drill FAILED (problems above).")
    click.echo("Drill PASSED: this backup and this key file restore everything.")
