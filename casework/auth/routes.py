from __future__ import annotations

import hashlib
import hmac
from typing import NoReturn

from flask import (
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from casework import audit
from casework.auth import bp, devices, links, operations, sessions, totp
from casework.auth.forms import (
    ChangePasswordForm,
    ChoosePasswordForm,
    CodeForm,
    ConfirmForm,
    SignInForm,
)
from casework.auth.models import User
from casework.core.extensions import limiter
from casework.core.throttle import Throttle
from casework.policy import Action
from casework.web.access import permission, safe_next

# Wrong current passwords and codes from a signed-in session (REAUTH_LIMIT, per person).
REAUTH_GUESSES = Throttle("account-reauth", "REAUTH_LIMIT")
REAUTH_SIGNED_OUT = _l(
    "Too many wrong passwords or codes: you have been signed out. Sign in again to go on."
)
SIGN_IN_FAILED = _l("The email or password is not right, or the account cannot sign in now.")


def _ip_limit() -> str:
    return str(current_app.config["SIGN_IN_RATE_LIMIT"])


def _account_limit() -> str:
    return str(current_app.config["ACCOUNT_RATE_LIMIT"])


def _device_limit() -> str:
    return str(current_app.config["DEVICE_RATE_LIMIT"])


def _attempted_user_id() -> str | None:
    """Whose account this attempt is for: the half-signed-in user, or the e-mail's account."""
    pending = session.get("pending_uid")
    if pending:
        return str(pending)
    email = request.form.get("email", "")
    if not email:
        return None  # a page view, or a form without an address: no account to look up
    user = operations.find_user_by_email(email)
    return str(user.id) if user is not None else None


def _hashed(prefix: str, value: str) -> str:
    # Keyed, so the limiter's storage keys and log lines cannot be matched to an email address
    # by hashing candidate addresses.
    key = str(current_app.config["SECRET_KEY"]).encode()
    return prefix + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _account_key() -> str:
    """Throttle per account: the submitted email (case-folded, hashed), or the
    half-signed-in user."""
    who = (
        session.get("pending_uid")
        or operations.normalise_email(request.form.get("email", "")).casefold()
    )
    return _hashed("acct:", who)


def _device_key() -> str:
    return _hashed("device:", devices.device_of(_attempted_user_id()) or "")


def _from_known_device() -> bool:
    """This browser completed a sign-in to the account attempted (decision 0057)."""
    return devices.device_of(_attempted_user_id()) is not None


def _failed(response: Response) -> bool:
    """Only failed attempts use up a budget: the real person's success costs nothing."""
    return bool(g.get("sign_in_failed"))


def _on_throttled(limit: object) -> None:
    audit.record("sign_in.throttled", outcome="throttled", durable=True)


throttle_by_address = limiter.limit(
    _ip_limit, methods=["POST"], on_breach=_on_throttled, scope="sign-in-address"
)
# Wrong guesses from browsers that never signed in to the account share one budget per account;
# the person's own browser (a device cookie) has its own (decision 0057). No lock-out.
throttle_by_account = limiter.limit(
    _account_limit,
    key_func=_account_key,
    methods=["POST"],
    exempt_when=_from_known_device,
    deduct_when=_failed,
    on_breach=_on_throttled,
    scope="sign-in-account",
)
throttle_by_device = limiter.limit(
    _device_limit,
    key_func=_device_key,
    methods=["POST"],
    exempt_when=lambda: not _from_known_device(),
    deduct_when=_failed,
    on_breach=_on_throttled,
    scope="sign-in-device",
)


def _after_sign_in() -> Response:
    target = safe_next(session.pop("next", None)) if "next" in session else None
    return redirect(target or url_for("main.dashboard"))


@bp.route("/sign-in", methods=["GET", "POST"])
@throttle_by_address
@throttle_by_account
@throttle_by_device
def sign_in() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = SignInForm()
    if form.validate_on_submit():
        attempt = operations.check_password(form.email.data or "", form.password.data or "")
        if attempt.user is not None:
            sessions.begin_pending(attempt.user)
            next_path = safe_next(request.args.get("next"))
            if next_path:
                session["next"] = next_path
            if attempt.user.totp_enrolled_at is None:
                operations.prepare_enrolment(attempt.user)
                return redirect(url_for("auth.enrol_totp"))
            return redirect(url_for("auth.second_factor"))
        g.sign_in_failed = True
        flash(str(SIGN_IN_FAILED), "danger")  # a plain string: the session store is msgpack
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@throttle_by_address
@throttle_by_account
@throttle_by_device
def second_factor() -> Response | str:
    user = sessions.pending_user()
    if user is None:
        return redirect(url_for("auth.sign_in"))
    if user.totp_enrolled_at is None:
        return redirect(url_for("auth.enrol_totp"))
    form = CodeForm()
    if form.validate_on_submit():
        if operations.check_second_factor(user, form.code.data or ""):
            next_path = session.get("next")
            sessions.complete_sign_in(user)
            if next_path:
                session["next"] = next_path
            return devices.remember(_after_sign_in(), user)
        g.sign_in_failed = True
        form.code.errors = [
            *form.code.errors,
            _("That code is not right or was already used. Wait for a new code and try again."),
        ]
    return render_template("auth/second_factor.html", form=form)


@bp.route("/sign-in/enrol", methods=["GET", "POST"])
@throttle_by_address
@throttle_by_account
@throttle_by_device
def enrol_totp() -> Response | str:
    user = sessions.pending_user()
    if user is None:
        return redirect(url_for("auth.sign_in"))
    if user.totp_enrolled_at is not None:
        return redirect(url_for("auth.second_factor"))
    secret = operations.totp_secret(user)
    if not secret:
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    form.code.description = _("The 6-digit code your authenticator app shows for Casework.")
    if form.validate_on_submit():
        codes = operations.confirm_enrolment(user, form.code.data or "")
        if codes is not None:
            sessions.complete_sign_in(user)
            page = make_response(render_template("auth/recovery_codes.html", codes=codes))
            return devices.remember(page, user)
        g.sign_in_failed = True
        form.code.errors = [
            *form.code.errors,
            _(
                "That code is not right. Check the time on "
                "your phone, wait for a new code and try again."
            ),
        ]
    uri = totp.provisioning_uri(secret, user.email, current_app.config["TOTP_ISSUER"])
    return render_template(
        "auth/enrol.html",
        form=form,
        qr_svg=totp.qr_svg(uri, _("QR code to add Casework to your authenticator app")),
        secret_text=totp.format_secret(secret),
    )


@bp.route("/sign-in/cancel", methods=["POST"])
def cancel_sign_in() -> Response:
    form = ConfirmForm()
    if form.validate_on_submit():
        session.clear()
    return redirect(url_for("auth.sign_in"))


@bp.route("/sign-out", methods=["POST"])
@permission(Action.MANAGE_OWN_ACCOUNT)
def sign_out() -> Response:
    form = ConfirmForm()
    if form.validate_on_submit():
        operations.record_sign_out(current_user)
        sessions.end_session()
        flash(_("You have signed out."), "success")
        return redirect(url_for("auth.sign_in"))
    return redirect(url_for("main.dashboard"))


@bp.route("/account")
@permission(Action.MANAGE_OWN_ACCOUNT)
def account() -> str:
    return render_template("auth/account.html", form=CodeForm())


def _reauth_refused() -> NoReturn:
    """Too many wrong passwords or codes from a signed-in session lately: nothing is checked."""
    abort(429)


def _wrong_reauth(user: User, what: str) -> Response | None:
    """Count a wrong current password or code (issue 12 item 7). At the limit the session
    ends: whoever holds it must sign in again, with both factors."""
    audit.record(f"account.{what}_failed", actor=user, target=user, outcome="failure", durable=True)
    REAUTH_GUESSES.count(user.id)
    if not REAUTH_GUESSES.exhausted(user.id):
        return None
    audit.record(
        "account.session_ended_after_failures",
        actor=user,
        target=user,
        outcome="denied",
        durable=True,
    )
    sessions.end_session()
    flash(str(REAUTH_SIGNED_OUT), "danger")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@permission(Action.MANAGE_OWN_ACCOUNT)
def change_password() -> Response | tuple[str, int] | str:
    user = current_user._get_current_object()
    form = ChangePasswordForm(hints=[user.email, user.name])
    if form.validate_on_submit():
        if not REAUTH_GUESSES.allowed(user.id):
            return _reauth_refused()
        if operations.change_own_password(
            user, form.current_password.data or "", form.new_password.data or ""
        ):
            sessions.refresh_after_password_change(user)
            flash(
                _("Your password has been changed. Other sessions have been signed out."), "success"
            )
            return redirect(url_for("main.dashboard"))
        ended = _wrong_reauth(user, "current_password")
        if ended is not None:
            return ended
        form.current_password.errors = [_("This is not your current password.")]
    status = 422 if form.errors else 200
    return render_template("auth/change_password.html", form=form), status


@bp.route("/account/recovery-codes", methods=["POST"])
@permission(Action.MANAGE_OWN_ACCOUNT)
@throttle_by_address
def regenerate_recovery_codes() -> Response | tuple[str, int] | str:
    user = current_user._get_current_object()
    form = CodeForm()
    if form.validate_on_submit():
        if not REAUTH_GUESSES.allowed(user.id):
            return _reauth_refused()
        if operations.use_totp_code(user, form.code.data or ""):
            codes = operations.replace_recovery_codes(user)
            return render_template("auth/recovery_codes.html", codes=codes)
        ended = _wrong_reauth(user, "code_check")
        if ended is not None:
            return ended
        form.code.errors = [_("That code is not right or was already used.")]
    return render_template("auth/account.html", form=form), 422


# ---- credential links (decision 0056) -------------------------------------------------------


@bp.route("/account/password-link/<token>", methods=["GET", "POST"])
@throttle_by_address
def choose_password(token: str) -> Response | tuple[str, int] | str:
    """The page an invitation or reset e-mail links to: the person chooses their password.
    A wrong, used or expired link answers like a missing page."""
    link = links.find_link(token)
    if link is None:
        if request.method == "POST":
            audit.record("account.password_link_refused", outcome="denied", durable=True)
        return render_template("auth/password_link_invalid.html"), 404
    if current_user.is_authenticated:
        sessions.end_session()
    user = link.user
    form = ChoosePasswordForm(hints=[user.email, user.name])
    if form.validate_on_submit():
        if links.use_link(link, form.new_password.data or ""):
            if user.approved_at is None:
                flash(
                    _(
                        "Your password is set. You can sign in once a supervisor of your "
                        "agency has approved your account."
                    ),
                    "success",
                )
            else:
                flash(_("Your password is set. Sign in with it now."), "success")
            return redirect(url_for("auth.sign_in"))
        return render_template("auth/password_link_invalid.html"), 404
    status = 422 if form.errors else 200
    return render_template(
        "auth/choose_password.html", form=form, purpose=link.purpose, email=user.email
    ), status
