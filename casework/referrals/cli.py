"""`flask --app wsgi referrals expire`: record the expiry of referrals left unanswered.

Expiry already shows everywhere as soon as it is due (see referrals/expiry.py); this records
it (status, audit event, timeline, notification to the sender). Run it daily from cron or a
systemd timer; running it twice changes nothing the second time.
"""

from __future__ import annotations

import click
from tqdm import tqdm

from casework.core.extensions import db

referrals_group = click.Group("referrals", help="Referrals across agencies.")


@referrals_group.command("expire")
def expire() -> None:
    """Expire pending referrals older than REFERRAL_EXPIRY_DAYS and tell their senders."""
    from sqlalchemy import func, select

    from casework import audit
    from casework.referrals.operations import expire_overdue_referrals, overdue_pending

    due = db.session.execute(
        select(func.count()).select_from(overdue_pending().subquery())
    ).scalar_one()
    with tqdm(total=due, desc="Expiring referrals", unit="referral", disable=due == 0) as bar:
        count = expire_overdue_referrals(progress=bar.update)
    audit.record("referral.expiry_run", detail=str(count))
    db.session.commit()
    click.echo(f"{count} referral(s) expired." if count else "No referral was due to expire.")
