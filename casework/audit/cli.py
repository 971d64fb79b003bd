"""`flask --app wsgi audit verify`: check the audit trail's hash chain."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from casework.audit.chain import verify_chain
from casework.audit.models import AuditEvent, AuditHead
from casework.core.extensions import db

audit_group = click.Group("audit", help="The audit trail.")


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the hash chain; report the first altered, removed or reordered event."""
    head = db.session.get(AuditHead, 1)
    events = db.session.execute(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000)
    ).scalars()
    checked, problem = verify_chain(events, head.seq if head else None, head.hash if head else None)
    if problem is not None:
        click.echo(
            f"Audit trail BROKEN at {problem} ({checked} events before it are intact).",
            err=True,
        )
        sys.exit(1)
    click.echo(f"Audit trail intact: {checked} events verified.")
