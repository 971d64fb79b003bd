"""`flask --app wsgi backup create | restore | verify`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from tqdm import tqdm

from casework.backup.dump import create_backup, restore_backup
from casework.backup.manifest import BackupError
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
    click.echo(f"Audit trail: {result.audit_events} events verified.")
    click.echo(f"Search indexes checked: {result.indexes_checked}.")
    for where in result.stale_indexes[:20]:
        click.echo(f"Search index does not match (wrong index key?): {where}", err=True)
    if len(result.stale_indexes) > 20:
        click.echo(f"... and {len(result.stale_indexes) - 20} more search indexes", err=True)
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
