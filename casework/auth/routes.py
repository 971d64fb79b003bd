from __future__ import annotations

import hashlib
import hmac

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from casework import audit
from casework.auth import bp, links, operations, sessions, totp
from casework.auth.forms import (
    ChangePasswordForm,
    ChoosePasswordForm,
    CodeForm,
    ConfirmForm,
    SignInForm,
)
from casework.core.extensions import limiter
from casework.policy import Action
from casework.web.access import permission, safe_next

SIGN_IN_FAILED = _l("The email or password is not right, or the account cannot sign in now.")


def _ip_limit() -> str:
    return str(current_app.config["SIGN_IN_RATE_LIMIT"])


def _account_limit() -> str:
    return str(current_app.config["ACCOUNT_RATE_LIMIT"])


def _account_key() -> str:
    """Throttle per account: the submitted email (hashed), or the half-signed-in user."""
    who = session.get("pending_uid") or operations.normalise_email(request.form.get("email", ""))
    # Keyed, so the limiter's storage keys and log lines cannot be matched to an email address
    # by hashing candidate addresses.
    key = str(current_app.config["SECRET_KEY"]).encode()
    return "acct:" + hmac.new(key, who.encode(), hashlib.sha256).hexdigest()


def _on_throttled(limit: object) -> None:
    audit.record("sign_in.throttled", outcome="throttled", durable=True)


throttle_by_address = limiter.limit(
    _ip_limit, methods=["POST"], on_breach=_on_throttled, scope="sign-in-address"
)
throttle_by_account = limiter.limit(
    _account_limit,
    key_func=_account_key,
    methods=["POST"],
    on_breach=_on_throttled,
    scope="sign-in-account",
)


def _after_sign_in() -> Response:
    target = safe_next(session.pop("next", None)) if "next" in session else None
    return redirect(target or url_for("main.dashboard"))


@bp.route("/sign-in", methods=["GET", "POST"])
@throttle_by_address
@throttle_by_account
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
        flash(str(SIGN_IN_FAILED), "danger")  # a plain string: the session store is msgpack
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@throttle_by_address
@throttle_by_account
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
            return _after_sign_in()
        form.code.errors = [
            *form.code.errors,
            _("That code is not right or was already used. Wait for a new code and try again."),
        ]
    return render_template("auth/second_factor.html", form=form)


@bp.route("/sign-in/enrol", methods=["GET", "POST"])
@throttle_by_address
@throttle_by_account
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
            return render_template("auth/recovery_codes.html", codes=codes)
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


@bp.route("/account/password", methods=["GET", "POST"])
@permission(Action.MANAGE_OWN_ACCOUNT)
def change_password() -> Response | tuple[str, int] | str:
    user = current_user._get_current_object()
    form = ChangePasswordForm(hints=[user.email, user.name])
    if form.validate_on_submit():
        if operations.change_own_password(
            user, form.current_password.data or "", form.new_password.data or ""
        ):
            sessions.refresh_after_password_change(user)
            flash(
                _("Your password has been changed. Other sessions have been signed out."), "success"
            )
            return redirect(url_for("main.dashboard"))
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
        if operations.use_totp_code(user, form.code.data or ""):
            codes = operations.replace_recovery_codes(user)
            return render_template("auth/recovery_codes.html", codes=codes)
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
