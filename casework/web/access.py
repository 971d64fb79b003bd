"""The route guard: deny by default.

Every endpoint outside the short PUBLIC_ENDPOINTS allowlist needs a signed-in, fully
verified user (password and second factor) and declares the policy action it serves with
`@permission(Action.X)`. An endpoint that declares nothing is unreachable. Object-level
checks happen in the views after loading, through `load_or_404`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from casework import audit
from casework.policy import Action, PermissionDenied, can, require

F = TypeVar("F", bound=Callable[..., Any])

# Reachable without signing in. The second-factor steps check the half-signed-in session
# themselves and reach nothing else.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "bootstrap.static",
        "main.health",
        "main.set_language",
        "auth.sign_in",
        "auth.second_factor",
        "auth.enrol_totp",
        "auth.cancel_sign_in",
        "auth.choose_password",  # the link in an invitation or reset e-mail (decision 0056)
        # Federation: a peer fetches the public identity document (public keys, signed) and
        # delivers sealed messages (each authenticated by its signature, casework.federation).
        "federation.identity",
        "federation.inbox",
    }
)
# Reachable by a signed-in user who must first replace a one-time password.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.sign_out"})


def permission(action: Action) -> Callable[[F], F]:
    """Declare the policy action an endpoint serves (checked before the view runs)."""

    def decorate(view: F) -> F:
        view.required_action = action  # type: ignore[attr-defined]
        return view

    return decorate


def safe_next(target: str | None) -> str | None:
    """A same-site relative path to return to after sign-in, or None."""
    if not target:
        return None
    # Browsers read a backslash as a slash ("/\\evil.example" is "//evil.example") and drop
    # tabs and newlines before parsing: both would turn a path into another site's address.
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def record_denial(action: Action | str | None, target: Any = None) -> None:
    """The audit event of a refusal (durable: it stays when the request is rolled back)."""
    audit.record(
        "access.denied",
        actor=current_user.id if current_user.is_authenticated else None,
        # Only a stored record names a target (a draft checked before it exists does not).
        target=target if hasattr(target, "__tablename__") else None,
        outcome="denied",
        detail=str(action) if action else request.endpoint,
        durable=True,
    )


def record_not_found(action: Action | str | None, target: tuple[str, Any]) -> None:
    """The audit event of a request for a record that is not there (or not where the URL
    says): durable like a refusal, so a missing record costs what a refused one does."""
    audit.record(
        "access.not_found",
        actor=current_user.id if current_user.is_authenticated else None,
        target=target,
        outcome="missing",
        detail=str(action) if action else request.endpoint,
        durable=True,
    )


def deny(action: Action | str | None, target: Any = None) -> NoReturn:
    """Record the denial and answer 404, exactly as for a missing object."""
    record_denial(action, target)
    abort(404)


def authorize(action: Action, obj: Any) -> None:
    """Object-level check in a view: 404 (and an audit event) unless allowed."""
    try:
        require(current_user, action, obj)
    except PermissionDenied:
        deny(action, obj)


def guard_request() -> Response | None:
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        if session.get("_user_id"):
            session.clear()  # a session whose user is gone, deactivated or signed out elsewhere
        next_path = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.sign_in", next=safe_next(next_path)))
    if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        return redirect(url_for("auth.change_password"))
    view = current_app.view_functions[endpoint]
    action = getattr(view, "required_action", None)
    if action is None or not can(current_user, action):
        deny(action)
    return None


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def refuse_cross_site() -> None:
    """Refuse state-changing requests a browser says came from another site (Fetch Metadata).

    This takes the place of Flask-WTF's HTTPS referrer check, which cannot work here: the
    Referrer-Policy is no-referrer, so browsers send no Referer and every form would fail.
    """
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in {"same-origin", "none"}:
        raise CSRFError("cross-site request")


def init_app(app: Flask) -> None:
    # See refuse_cross_site: the CSRF token, SameSite cookies and Fetch Metadata remain.
    app.config["WTF_CSRF_SSL_STRICT"] = False
    app.before_request(refuse_cross_site)
    app.before_request(guard_request)
