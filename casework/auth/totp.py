"""Time-based one-time codes (RFC 6238) with replay refused, and recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno

DIGITS = 6
INTERVAL = 30
DRIFT_STEPS = 1  # accept the previous and next 30-second step for clock drift
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def new_secret() -> str:
    return pyotp.random_base32(length=32)  # 160 bits, as RFC 4226 recommends


def matching_step(
    secret: str, code: str, last_used_step: int | None, now: float | None = None
) -> int | None:
    """The time step `code` belongs to, if it is valid and newer than the last one used.

    Refusing any step at or before `last_used_step` makes each code single-use.
    """
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    now = time.time() if now is None else now
    current = int(now // INTERVAL)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_used_step is not None and step <= last_used_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def current_code(secret: str, now: float | None = None) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).at(
        time.time() if now is None else now
    )


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=account, issuer_name=issuer
    )


def qr_svg(uri: str, title: str) -> str:
    """An inline SVG QR code (no script, no external image), titled for screen readers."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, title=title, border=2))


def format_secret(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))  # ~79 bits
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    return codes


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch in _RECOVERY_ALPHABET)


def hash_recovery_code(code: str) -> str:
    # The codes are long random strings, so a fast hash is enough (no dictionary to try).
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()
