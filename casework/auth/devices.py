"""Device cookies (decision 0057, after OWASP's "slow down online guessing with device
cookies"): a browser where a person completed sign-in gets a signed cookie naming them. Wrong
guesses from browsers without it share one budget per account, so a stranger is slowed; the
person's own browser has a budget of its own, so a stranger cannot keep them out (ASVS 2.2).
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

COOKIE = "casework_device"
MAX_AGE = 365 * 24 * 3600
_SALT = "casework.device-cookie.v1"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.config["SECRET_KEY"]), salt=_SALT)


def remember(response: Response, user: Any) -> Response:
    """Mark this browser as one where `user` signed in (after both factors)."""
    value = _serializer().dumps({"u": str(user.id), "n": secrets.token_urlsafe(12)})
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE,
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        samesite="Strict",
    )
    return response


def device_of(user_id: Any) -> str | None:
    """The nonce of this browser's device cookie when it is valid for `user_id`, else None."""
    raw = request.cookies.get(COOKIE)
    if not raw or user_id is None:
        return None
    try:
        data = _serializer().loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != str(user_id):
        return None
    nonce = data.get("n")
    return nonce if isinstance(nonce, str) else None
