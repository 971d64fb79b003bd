"""Daily housekeeping on the job queue: one-time form submission tokens (`form_submissions`,
decision 0070) that no one can send again are deleted.

A form's submission token is only taken with the form's CSRF token, which lives in the
session; no session outlives `ABSOLUTE_TIMEOUT_HOURS`. A token older than that (and a day's
margin) can never be sent again, so forgetting it never lets a repeat through. The rows hold
no personal data (a token, a user id, a form name, the id it created); they only grow.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete

from casework.core.db import utcnow
from casework.core.extensions import db
from casework.jobs import registry
from casework.web.once import FormSubmission

log = logging.getLogger("casework.jobs")
FORGET_SUBMISSIONS = "daily.forms.forget_submissions"
MARGIN = timedelta(days=1)


def submissions_cutoff(now: datetime | None = None) -> datetime:
    """Tokens used before this moment can no longer be sent with a valid form."""
    hours = int(current_app.config["ABSOLUTE_TIMEOUT_HOURS"])
    return (now or utcnow()) - timedelta(hours=hours) - MARGIN


def forget_old_submissions(now: datetime | None = None) -> int:
    """Delete the submission tokens older than `submissions_cutoff`; how many (committed)."""
    result = db.session.execute(
        delete(FormSubmission).where(FormSubmission.created_at < submissions_cutoff(now))
    )
    db.session.commit()
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    log.info("jobs.form_submissions_forgotten", extra={"count": count})
    return count


def _daily() -> None:
    forget_old_submissions()


# Idempotent (a delete by age): several schedulers running it the same day do no harm.
registry.periodic(FORGET_SUBMISSIONS, "daily", _daily)
