"""`flask --app wsgi cases erase-due`: erase the identifying data of cases past retention."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from tqdm import tqdm

from casework.core.extensions import db

cases_group = AppGroup("cases", help="Cases: retention and erasure.")


@cases_group.command("erase-due")
@click.option("--dry-run", is_flag=True, help="Only count the cases due; erase nothing.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_due(dry_run: bool, yes: bool) -> None:
    """Erase every closed case whose retention period (RETENTION_YEARS) is over.

    Each case is erased and committed on its own, so an interrupted run keeps what it did
    and a second run carries on. Prints counts and references only, never personal data.
    """
    from casework.cases.lifecycle.erasure import due_for_erasure, erase_case, retention_cutoff
    from casework.cases.models import Case

    years = current_app.config["RETENTION_YEARS"]
    ids = list(db.session.execute(due_for_erasure().with_only_columns(Case.id)).scalars())
    click.echo(
        f"{len(ids)} case(s) closed on or before {retention_cutoff():%Y-%m-%d} "
        f"({years} years ago) are due for erasure."
    )
    if dry_run or not ids:
        db.session.rollback()
        return
    if not yes:
        click.confirm("Erase their identifying data? This cannot be undone.", abort=True)
    erased = 0
    for case_id in tqdm(ids, desc="Erasing", unit="case"):
        case = db.session.get(Case, case_id)
        if case is not None and erase_case(None, case, reason="retention"):
            erased += 1
        db.session.commit()
    click.echo(f"Erased {erased} case(s).")
