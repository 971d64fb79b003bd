"""Approvals and credential e-mails (decision 0056). Each operation changes the ORM, writes
its audit event (ids and codes), notifies the agency's supervisors, flushes; never commits."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from casework import audit
from casework.auth import links
from casework.auth import operations as auth_ops
from casework.auth.models import CASE_HANDLING_ROLES, User
from casework.core.db import utcnow
from casework.core.errors import OperationError
from casework.core.extensions import db
from casework.notifications import mailer
from casework.notifications.operations import absolute, agency_users, link_to, notify
from casework.policy import Action, Role, require


class ApprovalError(OperationError):
    """Nothing to decide on this account (already decided, or withdrawn)."""


def needs_approval(user: User) -> bool:
    return user.role in CASE_HANDLING_ROLES


def _approvers(user: User) -> list[User]:
    if user.approver_role == "supervisor":
        return [u for u in agency_users(user.agency_id, [Role.SUPERVISOR]) if u.id != user.id]
    requester = user.pending_request_by_id
    admins = [u for u in _all_admins() if u.id not in (user.id, requester)]
    return admins


def _all_admins() -> list[User]:
    from sqlalchemy import select

    return list(
        db.session.scalars(select(User).where(User.role == Role.ADMIN.value, User.active.is_(True)))
    )


def tell_supervisors(user: User, kind: str) -> None:
    """The agency's supervisors hear of every change to one of its accounts (not the account
    itself)."""
    supervisors = [u for u in agency_users(user.agency_id, [Role.SUPERVISOR]) if u.id != user.id]
    notify(supervisors, kind, case=None, link=link_to("accounts.approvals"))


def send_credential_link(user: User, purpose: str, actor: User | None) -> None:
    """E-mail `user` a link to choose their password (through the job queue). The link is in
    the e-mail only: never shown to the actor, never logged in production."""
    token = links.issue_link(user, purpose, actor)
    url = absolute(link_to("auth.choose_password", token=token))
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        if purpose == "invitation":
            subject = _("Casework: your new account")
            body = _(
                "An account on Casework has been made for you (%(email)s).\n\n"
                "Choose your password here (the link works once, for 7 days):\n%(url)s\n\n"
                "If you did not expect this, tell your supervisor. Do not reply.",
                email=user.email,
                url=url,
            )
        else:
            subject = _("Casework: choose a new password")
            body = _(
                "Your Casework password has been reset (%(email)s); the old one no longer "
                "works.\n\nChoose a new one here (the link works once, for 24 hours):\n"
                "%(url)s\n\nIf you did not ask for this, tell your supervisor. Do not reply.",
                email=user.email,
                url=url,
            )
    mailer.queue(mailer.Email(user.id, user.email, f"account_{purpose}", subject, body, url))


def request_approval(actor: User, user: User) -> None:
    """`user` (a case-handling account) is unusable until approved; its approvers are told."""
    if user.approved_at is not None:  # it was usable: its sessions end now
        auth_ops.end_all_sessions(user)
    user.approved_at = None
    user.approved_by_id = None
    user.approval_requested_by_id = actor.id
    audit.record("account.approval_requested", actor=actor, target=user)
    db.session.flush()
    notify(
        _approvers(user), "account_approval_needed", case=None, link=link_to("accounts.approvals")
    )


def approve_account(actor: User, user: User) -> None:
    require(actor, Action.APPROVE_ACCOUNT, user)
    if user.approved_at is not None:
        raise ApprovalError(_l("This account was already approved."))
    user.approved_at = utcnow()
    user.approved_by_id = actor.id
    audit.record("account.approved", actor=actor, target=user)
    db.session.flush()
    tell_supervisors(user, "account_changed")


def refuse_account(actor: User, user: User) -> None:
    """The account is deactivated (never deleted)."""
    require(actor, Action.APPROVE_ACCOUNT, user)
    if user.approved_at is not None:
        raise ApprovalError(_l("This account was already approved."))
    user.active = False
    auth_ops.end_all_sessions(user)
    audit.record("account.refused", actor=actor, target=user)
    db.session.flush()
    tell_supervisors(user, "account_changed")


def request_mfa_reset(actor: User, user: User) -> None:
    """Ask for `user`'s second factor to be reset; it happens only when approved."""
    user.mfa_reset_requested_at = utcnow()
    user.mfa_reset_requested_by_id = actor.id
    audit.record("mfa.reset_requested", actor=actor, target=user)
    db.session.flush()
    notify(
        _approvers(user), "account_approval_needed", case=None, link=link_to("accounts.approvals")
    )


def approve_mfa_reset(actor: User, user: User) -> None:
    require(actor, Action.APPROVE_ACCOUNT, user)
    if user.mfa_reset_requested_at is None or user.approved_at is None:
        raise ApprovalError(_l("No reset of the second factor is waiting for this account."))
    requester = user.mfa_reset_requested_by_id
    user.mfa_reset_requested_at = None
    user.mfa_reset_requested_by_id = None
    auth_ops.reset_second_factor(user, actor)
    audit.record("mfa.reset_approved", actor=actor, target=user, detail=str(requester))
    db.session.flush()
    tell_supervisors(user, "account_changed")


def refuse_mfa_reset(actor: User, user: User) -> None:
    require(actor, Action.APPROVE_ACCOUNT, user)
    if user.mfa_reset_requested_at is None or user.approved_at is None:
        raise ApprovalError(_l("No reset of the second factor is waiting for this account."))
    user.mfa_reset_requested_at = None
    user.mfa_reset_requested_by_id = None
    audit.record("mfa.reset_refused", actor=actor, target=user)
    db.session.flush()
