"""Password hashing (Argon2id) and the password rules (12-128 characters, not guessable)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn

from config import ConfigError

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn scores 0-4; 4 means at least 10^10 guesses, "strong protection from an offline
# slow-hash attack". 3 (10^8) still let the password-spraying favourites through
# ("Summer2026!!", "Welcome2026!!"). The check runs offline against zxcvbn's bundled lists of
# common and leaked passwords, names and words, and spots keyboard walks, sequences, dates
# and l33t substitutions of them. A passphrase of three or four words passes easily.
MIN_SCORE = 4
# OWASP / ASVS floor for Argon2id: 19 MiB of memory, 2 iterations, 1 lane.
ARGON2_FLOOR = {"ARGON2_MEMORY_COST": 19456, "ARGON2_TIME_COST": 2, "ARGON2_PARALLELISM": 1}


def check_parameters(config: Mapping[str, Any]) -> None:
    """Refuse to start with Argon2 settings below the floor (they come from the environment)."""
    low = [name for name, floor in ARGON2_FLOOR.items() if int(config[name]) < floor]
    if low:
        raise ConfigError(
            "Refusing to start: " + ", ".join(low) + " below the Argon2id floor "
            "(memory 19456 KiB, time 2, parallelism 1)"
        )


def _hasher() -> PasswordHasher:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    hasher = app.extensions.get("casework_hasher")
    if hasher is None:
        cfg = app.config
        hasher = PasswordHasher(
            time_cost=cfg["ARGON2_TIME_COST"],
            memory_cost=cfg["ARGON2_MEMORY_COST"],
            parallelism=cfg["ARGON2_PARALLELISM"],
        )
        app.extensions["casework_hasher"] = hasher
        # Compared against when the account does not exist, so timing tells nothing.
        app.extensions["casework_dummy_hash"] = hasher.hash("not a real password, never valid")
    return hasher  # type: ignore[no-any-return]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    target = password_hash or current_app.extensions["casework_dummy_hash"]
    try:
        return hasher.verify(target, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def password_problems(password: str, user_inputs: list[str] | None = None) -> list[str]:
    """Plain-language reasons to refuse `password`; empty when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return [_("Use at least %(n)d characters.", n=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [_("Use at most %(n)d characters.", n=MAX_LENGTH)]
    inputs = [part for value in (user_inputs or []) for part in value.replace("@", " ").split()]
    # zxcvbn's matching is quadratic in length; the first 64 characters decide the score
    # of any password a person types.
    result = zxcvbn(password[:64], user_inputs=[*inputs, "casework"])
    if result["score"] < MIN_SCORE:
        problems = [
            _(
                "This password is too easy to guess: it is common, or close to one "
                "that is, or made from your name or email."
            )
        ]
        problems.append(_("Try three or four unrelated words, or a longer phrase."))
        return problems
    return []
