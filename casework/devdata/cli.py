"""The development-data commands: `flask demo`, `flask demo-code EMAIL`, `flask seed`.
All refuse to run in production."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from casework.core.extensions import db
from casework.devdata.seed.cli import seed_command


def _refuse_in_production() -> None:
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Demo commands are refused in production.")


@click.command("demo")
@click.option("--json", "as_json", is_flag=True, help="Print the demo data as JSON.")
@with_appcontext
def demo(as_json: bool) -> None:
    """Load the demo data (once; running it again changes nothing)."""
    _refuse_in_production()
    from casework.devdata.demo import demo_summary, load_demo

    created = load_demo()
    db.session.commit()
    summary = demo_summary()
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    click.echo("Demo data loaded." if created else "Demo data was already there.")
    click.echo("Demo sign-ins (one-time code: flask --app wsgi demo-code EMAIL):")
    for user in summary["users"]:
        click.echo(
            f"  {user['role']:<12} {user['email']:<46} {user['password']}  "
            f"({user['agency']}, {user['country']})"
        )


@click.command("demo-code")
@click.argument("email")
@with_appcontext
def demo_code(email: str) -> None:
    """Print the current one-time code of a demo account."""
    _refuse_in_production()
    from casework.devdata.demo import current_demo_code

    code = current_demo_code(email)
    if code is None:
        raise click.ClickException("No demo account with that email.")
    click.echo(code)


COMMANDS = (demo, demo_code, seed_command)
