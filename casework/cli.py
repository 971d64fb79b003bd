"""Flask commands: create-admin, demo, demo-code, audit verify, seed."""

from __future__ import annotations

import json
import sys

import click
from flask import Flask, current_app
from sqlalchemy import select

from casework.extensions import db


def _refuse_in_production() -> None:
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Demo commands are refused in production.")


def register_cli(app: Flask) -> None:
    from casework.backup.cli import backup_group
    from casework.case_records.cli import cases_group
    from casework.encryption.cli import keys_group
    from casework.reports.cli import release_group, reports_group

    app.cli.add_command(keys_group)
    app.cli.add_command(cases_group)
    app.cli.add_command(release_group)
    app.cli.add_command(reports_group)

    from casework.seed.cli import seed_command

    app.cli.add_command(seed_command)
    app.cli.add_command(backup_group)
    from casework.referrals.cli import referrals_group

    app.cli.add_command(referrals_group)

    @app.cli.command("create-admin")
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
    def create_admin(email: str, name: str, agency_name: str, country: str, password: str) -> None:
        """Create the first administrator (interactively, or from the options)."""
        from casework.admin.operations import AdminInputError, bootstrap_admin

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
            f"Administrator created (id {user.id}). They set up their second factor "
            "at first sign-in."
        )

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

    audit_group = click.Group("audit", help="The audit trail.")
    app.cli.add_command(audit_group)

    @audit_group.command("verify")
    def audit_verify() -> None:
        """Check the hash chain; report the first altered, removed or reordered event."""
        from casework.audit.chain import verify_chain
        from casework.audit.models import AuditEvent, AuditHead

        head = db.session.get(AuditHead, 1)
        events = db.session.execute(
            select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000)
        ).scalars()
        checked, problem = verify_chain(
            events, head.seq if head else None, head.hash if head else None
        )
        if problem is not None:
            click.echo(
                f"Audit trail BROKEN at {problem} ({checked} events before it are intact).",
                err=True,
            )
            sys.exit(1)
        click.echo(f"Audit trail intact: {checked} events verified.")
