"""Credential links (decision 0056): how a person gets a password nobody else has seen.

An administrator never sees or sets another person's password: a new account and a password
reset send the person a single-use link (`issue_link`); the person opens it and chooses their
password (`use_link`). Only a hash of the token is stored; a new link cancels the older ones;
a link expires (`LINK_HOURS`) and works once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from casework import audit
from casework.auth import passwords
from casework.auth.models import CredentialLink, User
from casework.core.db import utcnow
from casework.core.extensions import db

LINK_HOURS = {"invitation": 7 * 24, "password_reset": 24}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def unusable_password_hash() -> str:
    """A password hash no one knows the password of (a new account, a reset one)."""
    return passwords.hash_password(secrets.token_urlsafe(32))


def issue_link(user: User, purpose: str, actor: User | None) -> str:
    """A new link for `user` (older unused ones stop working); returns the token, to be put
    in the e-mail to the person and nowhere else."""
    if purpose not in LINK_HOURS:
        raise ValueError(f"unknown credential link purpose {purpose!r}")
    now = utcnow()
    db.session.execute(
        update(CredentialLink)
        .where(CredentialLink.user_id == user.id, CredentialLink.used_at.is_(None))
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        CredentialLink(
            user_id=user.id,
            purpose=purpose,
            token_hash=_hash(token),
            created_at=now,
            expires_at=now + timedelta(hours=LINK_HOURS[purpose]),
            created_by_id=actor.id if actor is not None else None,
        )
    )
    audit.record(f"account.{purpose}_link_issued", actor=actor, target=user)
    db.session.flush()
    return token


def find_link(token: str) -> CredentialLink | None:
    """The unused, unexpired link of `token`, or None."""
    if not token or len(token) > 100:
        return None
    link = db.session.scalar(
        select(CredentialLink).where(CredentialLink.token_hash == _hash(token))
    )
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    return link


def use_link(link: CredentialLink, new_password: str) -> bool:
    """Set the person's own password through `link`; False when the link was used meanwhile
    (a conditional update: two submissions of one link cannot both succeed)."""
    now = utcnow()
    result = db.session.execute(
        update(CredentialLink)
        .where(CredentialLink.id == link.id, CredentialLink.used_at.is_(None))
        .values(used_at=now)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    user = link.user
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = now
    user.must_change_password = False
    user.failed_sign_ins = 0
    user.locked_until = None
    user.session_epoch += 1
    audit.record(f"account.{link.purpose}_link_used", actor=user, target=user)
    db.session.flush()
    return True
