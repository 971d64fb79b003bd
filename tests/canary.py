"""Look for personal data where it must never be: the raw database (SQLite file or a
PostgreSQL dump), in every normalised spelling and in the encodings a dump uses."""

from __future__ import annotations

import base64
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.engine import make_url

from casework.core.extensions import db
from casework.crypto import (
    normalise_identity_number,
    normalise_name,
    normalise_phone,
    normalise_text,
)


def spellings(canary: str) -> set[bytes]:
    """The canary as typed, normalised every way the blind indexes normalise, and encoded as
    UTF-8, hex (PostgreSQL bytea) and base64."""
    forms = {canary, canary.upper(), canary.lower()}
    for normalise in (normalise_text, normalise_name, normalise_identity_number, normalise_phone):
        try:
            value = normalise(canary)
        except ValueError:
            continue
        if len(value) >= 6:  # shorter forms would match by chance
            forms.add(value)
    out: set[bytes] = set()
    for form in forms:
        raw = form.encode("utf-8")
        out |= {raw, raw.hex().encode(), base64.b64encode(raw)}
    return out


def database_dump() -> bytes:
    """Every byte the database holds: the SQLite file, or `pg_dump` of the PostgreSQL one."""
    db.session.commit()
    url = make_url(db.engine.url)
    if url.get_backend_name() == "sqlite":
        assert url.database, "an in-memory database cannot be dumped"
        db.engine.dispose()  # make sure everything is in the file
        return Path(url.database).read_bytes()
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is needed to dump PostgreSQL"
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return subprocess.run(
        [pg_dump, "--data-only", "--no-owner", plain], check=True, capture_output=True
    ).stdout


def assert_absent(haystack: bytes, canaries: Iterable[str], where: str) -> None:
    for canary in canaries:
        for form in spellings(canary):
            assert form not in haystack, f"canary {canary!r} found in {where} as {form!r}"


def assert_not_in_database(canaries: Iterable[str]) -> None:
    assert_absent(database_dump(), canaries, "the database")
