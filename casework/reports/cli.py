"""`flask release ...`: verify a signed release package, show the verification key.
`flask reports set-scope ...`: the country or region a coordinator reports on."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from casework.core.extensions import db
from casework.crypto import KeyringError
from casework.encryption import keys
from casework.reports.package import (
    VerificationError,
    load_public_key,
    public_key_fingerprint,
    public_key_pem,
    verify_package,
)

release_group = click.Group("release", help="Signed regional releases.")


def _instance_public_key() -> Ed25519PublicKey:
    try:
        return keys.keyring().signing_private_key().public_key()
    except KeyringError as exc:
        raise click.ClickException(f"{exc}.") from None


@release_group.command("verify")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--public-key",
    "public_key_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="PEM file of the publisher's key (default: this instance's signing key).",
)
def verify(package: Path, public_key_path: Path | None) -> None:
    """Check a release package's signature and every file in it. Exit 1 on any change."""
    public_key = (
        load_public_key(public_key_path.read_bytes()) if public_key_path else _instance_public_key()
    )
    try:
        result = verify_package(package.read_bytes(), public_key)
    except VerificationError as exc:
        click.echo(f"Release NOT verified: {exc}.", err=True)
        sys.exit(1)
    metadata = result.manifest.get("metadata", {})
    click.echo(
        f"Release verified: signed by key {public_key_fingerprint(public_key)}; "
        f"{len(result.files)} files intact ({', '.join(result.files)})."
    )
    for key in ("report", "scope", "period", "mode", "generated_at"):
        if key in metadata:
            click.echo(f"  {key}: {metadata[key]}")


@release_group.command("public-key")
def public_key() -> None:
    """Print the release verification key (PEM) and its fingerprint, to give the working
    group."""
    key = _instance_public_key()
    click.echo(public_key_pem(key), nl=False)
    click.echo(f"Fingerprint (SHA-256): {public_key_fingerprint(key)}")


reports_group = click.Group("reports", help="Anonymised reports.")


@reports_group.command("set-scope")
@click.argument("email")
@click.option("--country", help="ISO 3166-1 alpha-2 code of the country they report on.")
@click.option("--region", is_flag=True, help="They report on the whole region.")
def set_scope(email: str, country: str | None, region: bool) -> None:
    """Set the country (--country XX) or the region (--region) a coordinator reports on."""
    from sqlalchemy import select

    from casework.auth.models import User
    from casework.reports.operations import ScopeError, set_coordinator_scope

    if region == bool(country):
        raise click.UsageError("Give exactly one of --country XX or --region.")
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No account with the email {email}.")
    chosen = None if region else (country or "").strip().upper()
    try:
        changed = set_coordinator_scope(None, user, chosen)
    except ScopeError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    where = f"country {chosen}" if chosen else "the region"
    if changed:
        click.echo(f"{email} now reports on {where}.")
    else:
        click.echo(f"{email} already reports on {where}; nothing changed.")
