"""Factories for agencies and users of each role, already enrolled in the second factor."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from casework.agencies.models import Agency
from casework.auth import passwords, totp
from casework.auth.models import User
from casework.db import utcnow
from casework.extensions import db
from casework.policy import Role

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple violet"  # passes the strength rules


def make_agency(
    name: str | None = None, country: str = "TH", org_type: str = "NGO", active: bool = True
) -> Agency:
    agency = Agency(
        name=name or f"Agency {next(_counter)}", country=country, org_type=org_type, active=active
    )
    db.session.add(agency)
    db.session.flush()
    return agency


@dataclass
class Account:
    user: User
    password: str
    secret: str

    def code(self, step_offset: int = 0) -> str:
        """A valid one-time code that has not been used yet."""
        import time

        step = int(time.time() // totp.INTERVAL) + step_offset
        if self.user.last_totp_step is not None and step <= self.user.last_totp_step:
            step = self.user.last_totp_step + 1
        return totp.current_code(self.secret, now=step * totp.INTERVAL)


def make_user(
    role: Role | str = Role.CASEWORKER,
    agency: Agency | None = None,
    *,
    email: str | None = None,
    password: str = PASSWORD,
    enrolled: bool = True,
    must_change_password: bool = False,
    active: bool = True,
) -> Account:
    agency = agency or make_agency()
    n = next(_counter)
    user = User(
        email=email or f"user{n}@example.org",
        name=f"Test User {n}",
        agency_id=agency.id,
        role=str(Role(role).value),
        password_hash=passwords.hash_password(password),
        must_change_password=must_change_password,
        active=active,
    )
    secret = totp.new_secret()
    if enrolled:
        user.totp_secret = secret
        user.totp_enrolled_at = utcnow()
    db.session.add(user)
    db.session.flush()
    return Account(user, password, secret)
