"""`flask --app wsgi attachments migrate`: move the files stored on disk into the database."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from tqdm import tqdm

attachments_group = AppGroup("attachments", help="Attachments: where their content is stored.")


@attachments_group.command("migrate")
@click.option("--batch", default=50, show_default=True, help="Attachments per transaction.")
@click.option("--no-progress", is_flag=True, help="No progress bar (for logs and cron).")
def migrate(batch: int, no_progress: bool) -> None:
    """Move every attachment still stored as a file into the database (decision 0073).

    Safe to run while the application serves, and to run again: an interrupted run resumes
    where it stopped. A file is removed only after its chunks are committed and read back
    identical. Prints counts and attachment ids only.
    """
    from casework.cases.attachments.migration import move_attachments, on_disk, stray_files
    from casework.core.extensions import db

    if batch < 1:
        raise click.BadParameter("must be at least 1", param_hint="--batch")
    pending = len(on_disk())
    db.session.rollback()
    click.echo(f"{pending} attachment(s) stored on disk to move into the database.")
    bar = tqdm(total=pending, desc="Moving", unit="file", disable=no_progress or not pending)

    def progress(done: int, total: int) -> None:
        bar.n = done
        bar.refresh()
        if no_progress:
            click.echo(f"{done} of {total} done")

    try:
        report = move_attachments(batch, progress)
    finally:
        bar.close()
    click.echo(
        f"Copied into the database: {report.copied}; files removed: {report.files_removed}; "
        f"still on disk: {report.remaining}."
    )
    if report.orphan_chunks_removed:
        click.echo(
            f"Chunks of attachments deleted meanwhile removed: {report.orphan_chunks_removed}."
        )
    for attachment_id in report.missing:
        click.echo(f"Missing: attachment {attachment_id} has no file and no chunks.", err=True)
    for attachment_id in report.unreadable:
        click.echo(f"Not an encrypted attachment file: attachment {attachment_id}.", err=True)
    for attachment_id in report.mismatched:
        click.echo(f"Read back different (file kept): attachment {attachment_id}.", err=True)
    strays = stray_files()
    if strays:
        click.echo(
            f"{len(strays)} file(s) in the attachment folder belong to no attachment (left by an "
            "erasure or a failed upload of an earlier version; they cannot be decrypted). They "
            "may be deleted."
        )
    if not report.ok:
        raise click.ClickException("Some attachments could not be moved (named above).")
    if not report.remaining:
        click.echo("Every attachment is in the database: the backups carry them.")
