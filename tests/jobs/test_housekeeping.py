"""The daily clean-up of one-time form submission tokens (decision 0070 left it to do)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from casework.core.db import utcnow
from casework.core.extensions import db
from casework.jobs import registry
from casework.policy import Role
from casework.web.once import FormSubmission, new_token
from tests import factories


def test_old_submission_tokens_are_forgotten_daily(app: Flask) -> None:
    assert registry.PERIODIC["daily.forms.forget_submissions"][0] == "daily"
    run = registry.PERIODIC["daily.forms.forget_submissions"][1]
    user = factories.make_user(Role.CASEWORKER).user
    hours = int(app.config["ABSOLUTE_TIMEOUT_HOURS"])
    now = utcnow()
    ages = {
        "fresh": timedelta(minutes=5),
        "in a live session": timedelta(hours=hours),  # may still be sent with its form
        "past any session": timedelta(hours=hours) + timedelta(days=1, minutes=1),
        "old": timedelta(days=400),
    }
    tokens = {}
    for label, age in ages.items():
        tokens[label] = new_token()
        db.session.add(
            FormSubmission(
                token=tokens[label], user_id=user.id, form="register_case", created_at=now - age
            )
        )
    db.session.flush()
    run()
    left = set(db.session.scalars(select(FormSubmission.token)))
    assert tokens["fresh"] in left
    assert tokens["in a live session"] in left
    assert tokens["past any session"] not in left
    assert tokens["old"] not in left
