"""Demo data: agencies in several countries and one account per role, ready to sign in.

Never for production (the commands refuse). Demo accounts have their second factor already
set up; `flask demo-code EMAIL` prints a code that will be accepted.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from casework import audit
from casework.agencies.models import Agency
from casework.auth import operations as auth_ops
from casework.auth import passwords, totp
from casework.auth.models import User
from casework.cases.models import Case
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.devdata.accounts import DEMO_AGENCIES, DEMO_USERS, demo_password
from casework.devdata.cases import load_demo_cases
from casework.devdata.links import load_demo_links
from casework.devdata.plans import load_demo_plan
from casework.devdata.referrals import load_demo_referrals, referred_to
from casework.devdata.transfers import load_demo_transfers
from casework.policy import Role


def load_demo() -> bool:
    """Create the demo agencies, users and cases; False if they all already exist."""
    created = _load_agencies_and_users()
    cases_created = load_demo_cases()
    # After the demo cases: referrals, services and counselling sessions between agencies.
    referrals_created = load_demo_referrals()
    # After the referrals: a reintegration plan shared with the Phnom Penh agency.
    plan_created = load_demo_plan()
    links_created = load_demo_links()  # linked cases (decision 0114)
    # A Bangkok case transferred at return to the Phnom Penh Reintegration Office (0091).
    transfers_created = load_demo_transfers()
    return (
        created
        or cases_created > 0
        or referrals_created
        or plan_created
        or links_created > 0
        or transfers_created
    )


def _load_agencies_and_users() -> bool:
    if db.session.execute(
        select(Agency).where(Agency.name == DEMO_AGENCIES[0]["name"])
    ).scalar_one_or_none():
        return False
    agencies = [Agency(**spec) for spec in DEMO_AGENCIES]
    db.session.add_all(agencies)
    db.session.flush()
    now = utcnow()
    for role, email, name, agency_index in DEMO_USERS:
        user = User(
            email=email,
            name=name,
            agency_id=agencies[agency_index].id,
            role=role.value,
            password_hash=passwords.hash_password(demo_password(email)),
            must_change_password=False,
            password_changed_at=now,
            approved_at=now,  # demo accounts: approved as if by their supervisor
        )
        db.session.add(user)
        db.session.flush()
        auth_ops.prepare_enrolment(user)
        user.totp_enrolled_at = now
        auth_ops.replace_recovery_codes(user)
        if role == Role.COORDINATOR:
            from casework.reports.operations import set_coordinator_scope

            set_coordinator_scope(None, user, None)  # the demo coordinator reports on the region
    audit.record("demo.loaded")
    db.session.flush()
    return True


def demo_summary() -> dict[str, Any]:
    users = db.session.execute(
        select(User).where(User.email.in_([u[1] for u in DEMO_USERS]))
    ).scalars()
    by_email = {user.email: user for user in users}
    return {
        "users": [
            {
                "role": role.value,
                "email": email,
                "password": demo_password(email),
                "agency": by_email[email].agency.name,
                "country": by_email[email].agency.country,
            }
            for role, email, _name, _index in DEMO_USERS
            if email in by_email
        ],
        "cases": cases_summary([spec["name"] for spec in DEMO_AGENCIES]),
    }


def current_demo_code(email: str) -> str | None:
    """A code that signs in now: the current step's, or the next one if that was used."""
    if email.strip().lower() not in {u[1] for u in DEMO_USERS}:
        return None
    user = auth_ops.find_user_by_email(email)
    if user is None or not user.totp_secret:
        return None
    step = int(time.time() // totp.INTERVAL)
    if user.last_totp_step is not None and user.last_totp_step >= step:
        step = user.last_totp_step + 1
    return totp.current_code(auth_ops.totp_secret(user), now=step * totp.INTERVAL)


def cases_summary(agency_names: list[str]) -> list[dict[str, Any]]:
    """The cases of the demo agencies, for `flask demo --json` (agency order, then reference).

    `referred_to` names the agencies an accepted referral (whose sharing consent stands)
    currently opens the case to."""
    agencies = db.session.execute(select(Agency).where(Agency.name.in_(agency_names))).scalars()
    order = {name: index for index, name in enumerate(agency_names)}
    by_id = {agency.id: agency for agency in agencies}
    cases = db.session.execute(select(Case).where(Case.agency_id.in_(list(by_id)))).scalars()
    summary = []
    for case in sorted(cases, key=lambda c: (order[by_id[c.agency_id].name], c.reference)):
        summary.append(
            {
                "reference": case.reference,
                "url": f"/cases/{case.id}",
                "agency": by_id[case.agency_id].name,
                "assigned_to": case.assigned_to.email if case.assigned_to else None,
                "person_name": case.person.full_name if case.person else None,
                "referred_to": referred_to(case),
            }
        )
    return summary
