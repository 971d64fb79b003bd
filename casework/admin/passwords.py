"""One-time passwords that an administrator reads out or hands over to a new user."""

from __future__ import annotations

import secrets

from casework.auth.passwords import password_problems

# No 0/o, 1/l/i: the password is often read out over the phone or copied from paper.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
GROUPS, GROUP_LENGTH = 4, 5  # 20 characters from 31: about 99 bits


def new_one_time_password() -> str:
    """A random password like "k7m2p-x9q4r-..." that passes the product's password rules."""
    while True:
        candidate = "-".join(
            "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)
        )
        # Practically always passes at once; the check keeps the promise that every
        # password in the system meets the rules, should the rules grow stricter.
        if not password_problems(candidate):
            return candidate
