"""Every `flask` command, registered in one place (each lives with its feature)."""

from __future__ import annotations

import json

import click
from flask import Flask, current_app

from casework.core.extensions import db


def _refuse_in_production() -> None:
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Demo commands are refused in production.")


def register_cli(app: Flask) -> None:
    from casework.admin.cli import create_admin
    from casework.audit.cli import audit_group
    from casework.backup.cli import backup_group
    from casework.cases.lifecycle.cli import cases_group
    from casework.encryption.cli import keys_group
    from casework.reports.cli import release_group, reports_group

    app.cli.add_command(create_admin)
    app.cli.add_command(audit_group)
    app.cli.add_command(keys_group)
    app.cli.add_command(cases_group)
    app.cli.add_command(release_group)
    app.cli.add_command(reports_group)

    from casework.seed.cli import seed_command

    app.cli.add_command(seed_command)
    app.cli.add_command(backup_group)
    from casework.referrals.cli import referrals_group

    app.cli.add_command(referrals_group)

    @app.cli.command("demo")
    @click.option("--json", "as_json", is_flag=True, help="Print the demo data as JSON.")
    def demo(as_json: bool) -> None:
        """Load the demo data (once; running it again changes nothing)."""
        _refuse_in_production()
        from casework.demo import demo_summary, load_demo

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

    @app.cli.command("demo-code")
    @click.argument("email")
    def demo_code(email: str) -> None:
        """Print the current one-time code of a demo account."""
        _refuse_in_production()
        from casework.demo import current_demo_code

        code = current_demo_code(email)
        if code is None:
            raise click.ClickException("No demo account with that email.")
        click.echo(code)
