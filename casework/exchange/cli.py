"""`flask --app wsgi htcds import FILE --agency NAME [--dry-run]` and `htcds export`: an
agency's cases in the HTCDS 2.0 layout, for operators.

The import lists every problem (row, column, field: never a cell's value) and exits with
status 1 when there is any; otherwise it registers every row in one transaction.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select
from tqdm import tqdm

from casework.agencies.models import Agency
from casework.core.extensions import db
from casework.exchange.checking import Checked

htcds_group = AppGroup("htcds", help="An agency's cases in the HTCDS 2.0 spreadsheet layout.")


def _agency(name: str) -> Agency:
    agency = db.session.scalar(select(Agency).where(Agency.name == name))
    if agency is None:
        raise click.ClickException(f"No agency is named {name!r}.")
    return agency


def _report(checked: Checked) -> None:
    for name in checked.not_kept:
        click.echo(f"note: column {name} is not kept by Casework; its values are not imported.")
    for header in checked.ignored:
        click.echo(f"note: column {header!r} is not part of the layout; it is not read.")
    for problem in checked.problems:
        click.echo(problem.describe(), err=True)


@htcds_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency", "agency_name", required=True, help="The agency the cases belong to.")
@click.option("--dry-run", is_flag=True, help="Only check the file and list its problems.")
def import_command(file: Path, agency_name: str, dry_run: bool) -> None:
    """Import FILE (.xlsx or .csv in the HTCDS toolkit's layout) as cases of an agency: every
    row, or none when any row has a problem."""
    from casework.exchange.operations import ImportRefused, check_file, import_cases

    agency = _agency(agency_name)
    content = file.read_bytes()
    if dry_run:
        checked = check_file(None, agency, content, file.name)
        db.session.commit()  # the audit event
        _report(checked)
        if not checked.ok:
            raise click.ClickException(f"{len(checked.problems)} problem(s) found.")
        click.echo(f"{len(checked.rows)} row(s) can be imported.")
        return
    bar = tqdm(desc="Importing", unit="case", disable=None)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(1)

    try:
        cases = import_cases(None, agency, content, file.name, progress)
    except ImportRefused as refused:
        bar.close()
        db.session.commit()  # nothing was written but the dry run's audit event
        _report(refused.checked)
        raise click.ClickException(
            f"{len(refused.checked.problems)} problem(s) found: nothing was imported."
        ) from None
    except BaseException:
        bar.close()
        db.session.rollback()
        raise
    bar.close()
    db.session.commit()
    click.echo(f"Imported {len(cases)} case(s).")


PASSPHRASE_VARIABLE = "HTCDS_EXPORT_PASSPHRASE"  # noqa: S105 - the name of a variable, not a secret


@htcds_group.command("export")
@click.option("--agency", "agency_name", required=True, help="The agency whose cases to export.")
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The archive to write (a new file).",
)
def export_command(agency_name: str, output: Path) -> None:
    """Export an agency's cases in the HTCDS layout, as a zip encrypted with AES-256.

    The passphrase is read from the environment variable HTCDS_EXPORT_PASSPHRASE, or asked
    for twice; never from an argument (it would stay in the shell's history and the process
    list). It must be as strong as a password; it is never stored or logged.
    """
    from casework.core.db import utcnow
    from casework.exchange.export import check_passphrase, export_cases

    agency = _agency(agency_name)
    if output.exists():
        raise click.ClickException(f"{output} exists: choose a new file name.")
    passphrase = os.environ.get(PASSPHRASE_VARIABLE) or click.prompt(
        "Passphrase for the archive", hide_input=True, confirmation_prompt=True
    )
    check_passphrase(passphrase)
    content, count = export_cases(None, agency, passphrase, utcnow().date())
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as target:
        target.write(content)
    db.session.commit()  # the audit event
    click.echo(f"Exported {count} case(s) to {output}: a zip encrypted with AES-256.")
