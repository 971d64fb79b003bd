"""Checks the admin operations share: text, codes, uniqueness, and saving a change.

The forms check the same things for the person typing; these keep the rules for every
caller (the command line, other code), and turn a refusal into an AdminInputError.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from casework.agencies.models import Agency
from casework.auth import operations as auth_ops
from casework.auth.models import User
from casework.core.db import parse_uuid
from casework.core.errors import OperationError
from casework.core.extensions import db
from casework.core.time_zones import default_time_zone, is_time_zone
from casework.vocab import COUNTRY_CODES, ORGANISATION_TYPES, SERVICE_TYPES

NAME_MAX = 200
EMAIL_MAX = 254


class AdminInputError(OperationError):
    """Input the data cannot take (a duplicate, an unknown code, one's own account)."""


def clean_text(value: Any, field_name: str, max_length: int) -> str:
    """Text trimmed, runs of spaces collapsed, 1 to `max_length` characters."""
    text = " ".join(str(value or "").split())
    if not text or len(text) > max_length:
        raise AdminInputError(_("Enter 1 to %(n)d characters.", n=max_length), field_name)
    return text


def vocab_code(value: Any, allowed: Any, field_name: str) -> str:
    """A code from a vocabulary (anything supporting `in`)."""
    code = str(value or "")
    if code not in allowed:
        raise AdminInputError(_("Not a valid choice."), field_name)
    return code


def valid_email(value: Any) -> str:
    """A well-formed email address, trimmed and in lower case, as stored."""
    email = auth_ops.normalise_email(str(value or ""))
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise AdminInputError(_("Enter an email address like name@agency.org."), "email") from exc
    if len(email) > EMAIL_MAX:
        raise AdminInputError(_("Enter 1 to %(n)d characters.", n=EMAIL_MAX), "email")
    return email


def agency_values(name: Any, org_type: Any, country: Any) -> dict[str, str]:
    """An agency's fields, checked."""
    return {
        "name": clean_text(name, "name", NAME_MAX),
        "org_type": vocab_code(org_type, ORGANISATION_TYPES, "org_type"),
        "country": vocab_code(str(country or "").upper(), COUNTRY_CODES, "country"),
    }


def time_zone(value: Any, country: str) -> str:
    """An IANA time zone name; blank: the country's main zone."""
    name = str(value or "").strip()
    if not name:
        return default_time_zone(country)
    if not is_time_zone(name):
        raise AdminInputError(_("Choose a time zone from the list."), "time_zone")
    return name


def service_codes(values: Any, field_name: str = "services_offered") -> list[str]:
    """A sorted list of distinct service type codes (vocab.SERVICE_TYPES)."""
    codes = sorted({str(v) for v in (values or [])})
    for code in codes:
        vocab_code(code, SERVICE_TYPES, field_name)
    return codes


def agency_name_taken(name: str, other_than: uuid.UUID | None = None) -> bool:
    """Whether another agency has this name, ignoring case ("Mekong Shelter" and "mekong
    shelter" would confuse everyone; the database's constraint alone would allow both)."""
    query = select(Agency.id).where(func.lower(Agency.name) == name.lower())
    if other_than is not None:
        query = query.where(Agency.id != other_than)
    return db.session.execute(query.limit(1)).first() is not None


def email_taken(email: str, other_than: uuid.UUID | None = None) -> bool:
    """Whether another account has this (normalised) email."""
    query = select(User.id).where(User.email == email)
    if other_than is not None:
        query = query.where(User.id != other_than)
    return db.session.execute(query.limit(1)).first() is not None


@contextmanager
def unique_flush(field_name: str, message: str) -> Iterator[None]:
    """Flush inside a savepoint: a unique-constraint race (two admins saving the same name at
    once) becomes a field error instead of a failed transaction.

    Not on SQLite (development and tests only): pysqlite sends no BEGIN before a SAVEPOINT,
    so SQLite would treat the savepoint as the transaction and its RELEASE as a commit,
    breaking the request's unit of work. There the check before the flush has to do.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        yield
        db.session.flush()
        return
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except IntegrityError as exc:
        raise AdminInputError(message, field_name) from exc


def apply_changes(obj: Any, values: dict[str, Any]) -> list[str]:
    """Set the values that differ; return the names of the fields changed."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def not_self(actor: User, user: User, message: str) -> None:
    """Refuse an action an administrator may not take on their own account."""
    if actor.id == user.id:
        raise AdminInputError(message)


def agency_by_id(agency_id: Any) -> Agency:
    """The agency with this id (a UUID or its text), or a refusal on the agency field."""
    ident = parse_uuid(agency_id)
    agency = db.session.get(Agency, ident) if ident else None
    if agency is None:
        raise AdminInputError(_("Not a valid choice."), "agency_id")
    return agency
