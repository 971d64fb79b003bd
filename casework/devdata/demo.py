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
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.policy import Role

DEMO_AGENCIES: list[dict[str, str]] = [
    {"name": "Bangkok Anti-Trafficking Police Unit", "org_type": "LawEnforcement", "country": "TH"},
    {"name": "Mekong Safe Shelter", "org_type": "NGO", "country": "TH"},
    {"name": "Phnom Penh Counselling Centre", "org_type": "NGO", "country": "KH"},
    {"name": "Manila Legal Aid for Migrants", "org_type": "LegalService", "country": "PH"},
    {
        "name": "Regional Coordination Office",
        "org_type": "InternationalOrganisation",
        "country": "TH",
    },
]

# (role, email, name, agency index). Passwords are fixed so the README can print them.
DEMO_USERS: list[tuple[Role, str, str, int]] = [
    (Role.CASEWORKER, "caseworker@demo.casework.example", "Somchai Demo", 0),
    (Role.SUPERVISOR, "supervisor@demo.casework.example", "Malee Demo", 0),
    (Role.CASEWORKER, "shelter.caseworker@demo.casework.example", "Dara Demo", 1),
    (Role.SUPERVISOR, "shelter.supervisor@demo.casework.example", "Niran Demo", 1),
    (Role.PARTNER, "partner@demo.casework.example", "Sokha Demo", 2),
    (Role.SUPERVISOR, "counselling.supervisor@demo.casework.example", "Vanna Demo", 2),
    (Role.PARTNER, "legal.partner@demo.casework.example", "Maria Demo", 3),
    (Role.SUPERVISOR, "legal.supervisor@demo.casework.example", "Jose Demo", 3),
    (Role.COORDINATOR, "coordinator@demo.casework.example", "Lan Demo", 4),
    (Role.ADMIN, "admin@demo.casework.example", "Arun Demo", 4),
]


def demo_password(email: str) -> str:
    local = email.split("@", 1)[0].replace(".", "-")
    return f"{local}-orchid-lantern-2026"


def load_demo() -> bool:
    """Create the demo agencies, users and cases; False if they all already exist."""
    from casework.devdata.cases import load_demo_cases
    from casework.devdata.referrals import load_demo_referrals

    created = _load_agencies_and_users()
    cases_created = load_demo_cases()
    # After the demo cases: referrals, services and counselling sessions between agencies.
    referrals_created = load_demo_referrals()
    return created or cases_created > 0 or referrals_created


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
    from casework.devdata.cases import cases_summary

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
