"""Administration operations on agencies and users.

Each changes the ORM, writes an audit event naming the changed fields (never their values),
flushes, and never commits: the request's unit of work does. Nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from casework import audit
from casework.accounts import operations as accounts
from casework.admin import checks
from casework.admin.checks import AdminInputError as AdminInputError  # re-exported (cli.py)
from casework.agencies.models import Agency
from casework.auth import links, passwords
from casework.auth import operations as auth_ops
from casework.auth.models import User
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.policy import Action, Role, require
from casework.vocab import COUNTRY_CODES, ROLES

BOOTSTRAP_ORG_TYPE = "InternationalOrganisation"


# ---- agencies -----------------------------------------------------------------------------


def create_agency(
    actor: User,
    *,
    name: Any,
    org_type: Any,
    country: Any,
    services_offered: Any = (),
    time_zone: Any = None,
) -> Agency:
    """A new, active agency (in its country's main time zone unless `time_zone` says)."""
    require(actor, Action.MANAGE_AGENCIES)
    values: dict[str, Any] = dict(checks.agency_values(name, org_type, country))
    values["time_zone"] = checks.time_zone(time_zone, values["country"])
    values["services_offered"] = checks.service_codes(services_offered)
    duplicate = _("An agency with this name already exists.")
    if checks.agency_name_taken(values["name"]):
        raise AdminInputError(duplicate, "name")
    agency = Agency(**values, active=True)
    with checks.unique_flush("name", duplicate):
        db.session.add(agency)
    audit.record("agency.created", actor=actor, target=agency, detail=",".join(values))
    return agency


def update_agency(
    actor: User,
    agency: Agency,
    *,
    name: Any,
    org_type: Any,
    country: Any,
    services_offered: Any = None,
    time_zone: Any = None,
) -> list[str]:
    """Change an agency's details; returns the changed field names (none: no event).
    `services_offered` and `time_zone` None leave them as they are (a blank time zone: the
    country's main one)."""
    require(actor, Action.MANAGE_AGENCIES, agency)
    values: dict[str, Any] = dict(checks.agency_values(name, org_type, country))
    if time_zone is not None:
        values["time_zone"] = checks.time_zone(time_zone, values["country"])
    if services_offered is not None:
        values["services_offered"] = checks.service_codes(services_offered)
    duplicate = _("An agency with this name already exists.")
    if checks.agency_name_taken(values["name"], other_than=agency.id):
        raise AdminInputError(duplicate, "name")
    with checks.unique_flush("name", duplicate):
        changed = checks.apply_changes(agency, values)
    if changed:
        audit.record("agency.updated", actor=actor, target=agency, detail=",".join(changed))
    return changed


def set_agency_active(actor: User, agency: Agency, active: bool) -> bool:
    """Deactivate (its users can no longer sign in; their sessions end) or reactivate an
    agency. Returns False when it already was in that state."""
    require(actor, Action.MANAGE_AGENCIES, agency)
    if agency.active == active:
        return False
    if not active and actor.agency_id == agency.id:
        raise AdminInputError(_("You cannot deactivate your own agency."))
    agency.active = active
    if not active:
        members = db.session.execute(select(User).where(User.agency_id == agency.id)).scalars()
        for member in members:
            auth_ops.end_all_sessions(member)
    action = "agency.reactivated" if active else "agency.deactivated"
    audit.record(action, actor=actor, target=agency, detail="active")
    db.session.flush()
    return True


# ---- users --------------------------------------------------------------------------------


def _user_values(email: Any, name: Any, agency_id: Any, role: Any) -> dict[str, Any]:
    return {
        "email": checks.valid_email(email),
        "name": checks.clean_text(name, "name", checks.NAME_MAX),
        "agency_id": checks.agency_by_id(agency_id).id,
        "role": checks.vocab_code(role, ROLES, "role"),
    }


def create_user(actor: User, *, email: Any, name: Any, agency_id: Any, role: Any) -> User:
    """A new account. Nobody knows its password: the person is sent an invitation link to
    choose it (decision 0056), and sets up the second factor at first sign-in. A case-handling
    account is usable only once a supervisor of its agency (its first supervisor: another
    administrator) approves it; the agency's supervisors are told."""
    require(actor, Action.MANAGE_USERS)
    values = _user_values(email, name, agency_id, role)
    duplicate = _("An account with this email already exists.")
    if checks.email_taken(values["email"]):
        raise AdminInputError(duplicate, "email")
    user = User(
        **values,
        active=True,
        password_hash=links.unusable_password_hash(),
        must_change_password=False,
        password_changed_at=None,
        approved_at=None,
        approval_requested_by_id=actor.id,
    )
    with checks.unique_flush("email", duplicate):
        db.session.add(user)
    audit.record("user.created", actor=actor, target=user, detail=",".join(values))
    if accounts.needs_approval(user):
        accounts.request_approval(actor, user)
    else:
        # A coordinator's or an administrator's account: usable once the person chose a
        # password; the administrators see it in the audit trail.
        user.approved_at = utcnow()
        user.approved_by_id = actor.id
    accounts.send_credential_link(user, "invitation", actor)
    accounts.tell_supervisors(user, "account_changed")
    db.session.flush()
    return user


def update_user(
    actor: User, user: User, *, email: Any, name: Any, agency_id: Any, role: Any
) -> list[str]:
    """Change a user's details; returns the changed field names (none: no event).

    A new role or agency ends the user's sessions, so they sign in again under it. An
    administrator cannot change their own role or agency (nor lock themselves out).
    """
    require(actor, Action.MANAGE_USERS, user)
    values = _user_values(email, name, agency_id, role)
    if actor.id == user.id:
        if values["role"] != user.role:
            raise AdminInputError(_("You cannot change your own role."), "role")
        if values["agency_id"] != user.agency_id:
            raise AdminInputError(_("You cannot move yourself to another agency."), "agency_id")
    duplicate = _("An account with this email already exists.")
    if checks.email_taken(values["email"], other_than=user.id):
        raise AdminInputError(duplicate, "email")
    with checks.unique_flush("email", duplicate):
        changed = checks.apply_changes(user, values)
    if not changed:
        return changed
    if {"role", "agency_id"} & set(changed):
        auth_ops.end_all_sessions(user)
        db.session.expire(user, ["agency"])  # the relationship follows the new agency_id
    audit.record("user.updated", actor=actor, target=user, detail=",".join(changed))
    db.session.flush()
    if {"role", "agency_id", "email"} & set(changed) and accounts.needs_approval(user):
        # Who the account is, where and what it may do: approved again (decision 0056).
        accounts.request_approval(actor, user)
    accounts.tell_supervisors(user, "account_changed")
    return changed


def set_user_active(actor: User, user: User, active: bool) -> bool:
    """Deactivate (every live session ends) or reactivate an account. Returns False when
    it already was in that state."""
    require(actor, Action.MANAGE_USERS, user)
    if user.active == active:
        return False
    checks.not_self(actor, user, _("You cannot deactivate your own account."))
    user.active = active
    if not active:
        auth_ops.end_all_sessions(user)
    action = "user.reactivated" if active else "user.deactivated"
    audit.record(action, actor=actor, target=user, detail="active")
    db.session.flush()
    return True


def reset_user_password(actor: User, user: User) -> None:
    """The old password stops working and every session ends; the person is sent a link to
    choose a new one (the administrator never sees it). A lockout is lifted, since the
    guessed-at password is gone. The agency's supervisors are told."""
    require(actor, Action.MANAGE_USERS, user)
    checks.not_self(actor, user, _("Change your own password from “My account”."))
    user.password_hash = links.unusable_password_hash()
    user.password_changed_at = utcnow()
    user.must_change_password = False
    auth_ops.end_all_sessions(user)
    user.failed_sign_ins = 0
    user.locked_until = None
    audit.record("user.password_reset", actor=actor, target=user, detail="password_hash")
    accounts.send_credential_link(user, "password_reset", actor)
    accounts.tell_supervisors(user, "account_changed")
    db.session.flush()


def reset_user_second_factor(actor: User, user: User) -> None:
    """Ask for the user's second factor to be cleared (a lost phone). It is cleared only when
    a supervisor of their agency (or, where none can, another administrator) approves; then
    they set it up again at next sign-in (decision 0056)."""
    require(actor, Action.MANAGE_USERS, user)
    checks.not_self(actor, user, _("Another administrator must reset your own second factor."))
    if user.approved_at is None:
        raise AdminInputError(_("This account is not approved yet: nothing to reset."))
    if user.mfa_reset_requested_at is not None:
        raise AdminInputError(_("A reset of this second factor already waits for approval."))
    accounts.request_mfa_reset(actor, user)


# ---- the first administrator (flask create-admin) -----------------------------------------


@contextmanager
def _default_locale() -> Iterator[None]:
    """Messages in the default language outside a request (the command line), where the
    reader's language cannot be chosen."""
    if has_request_context():
        yield
        return
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "en")):
        yield


def bootstrap_admin(
    *, email: str, name: str, agency_name: str, country: str, password: str
) -> User:
    """Create an administrator (and their agency, if missing) from the command line.

    Refuses a weak password, an unknown country and an email already in use. The new
    administrator chose the password, so need not change it, and sets up the second factor
    at first sign-in.
    """
    with _default_locale():
        address = checks.valid_email(email)
        full_name = checks.clean_text(name, "name", checks.NAME_MAX)
        code = str(country or "").strip().upper()
        if code not in COUNTRY_CODES:
            raise AdminInputError(
                _("Not a country code: use ISO 3166-1 alpha-2, such as TH."), "country"
            )
        problems = passwords.password_problems(password, [address, full_name])
        if problems:
            raise AdminInputError(" ".join(problems), "password")
        if checks.email_taken(address):
            raise AdminInputError(_("An account with this email already exists."), "email")
        host = checks.clean_text(agency_name, "agency", checks.NAME_MAX)
        agency = db.session.execute(
            select(Agency).where(func.lower(Agency.name) == host.lower())
        ).scalar_one_or_none()
        if agency is None:
            values = checks.agency_values(host, BOOTSTRAP_ORG_TYPE, code)
            agency = Agency(**values, active=True)
            db.session.add(agency)
            db.session.flush()
            audit.record("agency.created", target=agency, detail=",".join(values))
        elif not agency.active:
            raise AdminInputError(_("That agency is deactivated."), "agency")
        user = User(
            email=address,
            name=full_name,
            agency_id=agency.id,
            role=Role.ADMIN.value,
            active=True,
            password_hash=passwords.hash_password(password),
            must_change_password=False,
            password_changed_at=utcnow(),
            approved_at=utcnow(),  # the operator of the machine, from the command line
        )
        db.session.add(user)
        db.session.flush()
        audit.record("user.created", target=user, detail="email,name,agency_id,role")
        return user
