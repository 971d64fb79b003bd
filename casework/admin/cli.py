"""`flask --app wsgi create-admin`: the first administrator of a new installation."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from casework.admin.operations import AdminInputError, bootstrap_admin
from casework.core.extensions import db


@click.command("create-admin")
@click.option("--email", prompt=True, help="Email address of the administrator.")
@click.option("--name", prompt=True, help="Full name.")
@click.option(
    "--agency",
    "agency_name",
    prompt=True,
    help="Agency that hosts the administrator (created if missing).",
)
@click.option("--country", prompt=True, help="ISO 3166-1 alpha-2 country of that agency.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Initial password (12-128 characters, not guessable).",
)
@with_appcontext
def create_admin(email: str, name: str, agency_name: str, country: str, password: str) -> None:
    """Create the first administrator (interactively, or from the options)."""
    try:
        user = bootstrap_admin(
            email=email,
            name=name,
            agency_name=agency_name,
            country=country.upper(),
            password=password,
        )
    except AdminInputError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(
        f"Administrator created (id {user.id}). They set up their second factor at first sign-in."
    )
