"""Sign-in operations. They change the ORM and write the audit trail; they never commit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select, update

from casework import audit
from casework.auth import passwords, totp
from casework.auth.models import RecoveryCode, User
from casework.core.db import utcnow
from casework.core.extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


@dataclass(frozen=True)
class SignInAttempt:
    user: User | None  # set only when the password step succeeded

    @property
    def ok(self) -> bool:
        return self.user is not None


def _count_failure(user: User, step: str) -> None:
    # An atomic increment in the database: parallel failures are all counted (issue 12 item 3).
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_sign_ins=User.failed_sign_ins + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["failed_sign_ins"])
    # Counted for the record; there is no lock-out: guessing is slowed by the sign-in throttles
    # (auth/routes.py), which a stranger cannot turn against the person (decision 0057).
    audit.record(f"sign_in.{step}_failed", actor=user, target=user, outcome="failure")


def check_password(email: str, password: str) -> SignInAttempt:
    """The first factor. Unknown account, wrong password or inactive account all
    look the same to the caller's caller (one message, one status, similar time)."""
    user = find_user_by_email(email)
    if user is None:
        passwords.verify_password(None, password)  # spend the same time
        audit.record("sign_in.password_failed", outcome="unknown_account")
        return SignInAttempt(None)
    if not passwords.verify_password(user.password_hash, password):
        _count_failure(user, "password")
        return SignInAttempt(None)
    if not user.is_active:
        audit.record("sign_in.refused_inactive", actor=user, target=user, outcome="denied")
        return SignInAttempt(None)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        audit.record("account.password_rehashed", actor=user, target=user)
    audit.record("sign_in.password_ok", actor=user, target=user)
    return SignInAttempt(user)


def _use_recovery_code(user: User, code: str) -> bool:
    """Spend a recovery code: a conditional UPDATE, so of parallel uses only one succeeds."""
    wanted = totp.hash_recovery_code(code)
    result = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == wanted,
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    audit.record("sign_in.recovery_code_used", actor=user, target=user)
    return True


def use_totp_code(user: User, code: str) -> bool:
    """Spend a one-time code: its time step must be newer than the last one used, checked and
    recorded in one conditional UPDATE, so a code signs in once even in parallel requests."""
    step = totp.matching_step(totp_secret(user), code, user.last_totp_step)
    if step is None:
        return False
    result = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.last_totp_step.is_(None), User.last_totp_step < step),
        )
        .values(last_totp_step=step)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["last_totp_step"])
    return getattr(result, "rowcount", 0) == 1


def check_second_factor(user: User, code: str) -> bool:
    """A one-time code (each usable once) or an unused recovery code."""
    if not user.totp_secret:
        audit.record("sign_in.refused_no_factor", actor=user, target=user, outcome="denied")
        return False
    if not use_totp_code(user, code) and not (
        len(code.strip()) > totp.DIGITS and _use_recovery_code(user, code)
    ):
        _count_failure(user, "second_factor")
        return False
    _record_success(user)
    return True


def _record_success(user: User) -> None:
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = utcnow()
    audit.record("sign_in.success", actor=user, target=user)


# ---- enrolment -------------------------------------------------------------------------


def totp_secret(user: User) -> str:
    """The user's TOTP secret in clear, for checking a code."""
    return user.totp_secret or ""


def prepare_enrolment(user: User) -> str:
    """A new secret waiting to be confirmed with a first code, made at each password step
    (the enrolment page shows the same one on reload). A secret shown in an earlier,
    unfinished sign-in is never the one that gets enrolled."""
    if user.totp_enrolled_at is None:
        user.totp_secret = totp.new_secret()
        audit.record("mfa.enrolment_started", actor=user, target=user)
    return totp_secret(user)


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Activate the second factor if `code` is right; return fresh recovery codes."""
    if not use_totp_code(user, code):
        _count_failure(user, "enrolment")
        return None
    user.totp_enrolled_at = utcnow()
    codes = replace_recovery_codes(user)
    audit.record("mfa.enrolled", actor=user, target=user)
    _record_success(user)
    return codes


def replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(
        RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id)  # type: ignore[attr-defined]
    )
    codes = totp.new_recovery_codes()
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=totp.hash_recovery_code(code)))
    audit.record("mfa.recovery_codes_issued", actor=user, target=user)
    return codes


def reset_second_factor(user: User, actor: User) -> None:
    """Clear the factor (lost phone); the user enrols again at next sign-in."""
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.last_totp_step = None
    db.session.execute(
        RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id)  # type: ignore[attr-defined]
    )
    end_all_sessions(user)
    audit.record("mfa.reset", actor=actor, target=user)


# ---- passwords and sessions --------------------------------------------------------------


def set_password(user: User, new_password: str, *, one_time: bool) -> None:
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = utcnow()
    user.must_change_password = one_time
    end_all_sessions(user)


def change_own_password(user: User, current: str, new_password: str) -> bool:
    if not passwords.verify_password(user.password_hash, current):
        audit.record(
            "account.password_change_failed",
            actor=user,
            target=user,
            outcome="failure",
            durable=True,
        )
        return False
    set_password(user, new_password, one_time=False)
    audit.record("account.password_changed", actor=user, target=user)
    return True


def end_all_sessions(user: User) -> None:
    user.session_epoch += 1


def record_sign_out(user: User) -> None:
    audit.record("sign_out", actor=user, target=user)
