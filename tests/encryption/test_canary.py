"""No plaintext of an encrypted field reaches the database file or a PostgreSQL dump."""

from __future__ import annotations

import pytest

from casework.core.extensions import db
from tests import factories
from tests.canary import assert_absent, assert_not_in_database, database_dump, spellings

# Reads the database's bytes (file or pg_dump): needs real commits.
pytestmark = pytest.mark.committing


def test_totp_secrets_are_not_in_the_database() -> None:
    accounts = [factories.make_user() for _ in range(3)]
    db.session.commit()
    assert_not_in_database([account.secret for account in accounts])


def test_the_check_itself_finds_a_plaintext() -> None:
    """The dump is real: a value stored in clear (an email) is found."""
    account = factories.make_user(email="canary.clear@example.org")
    db.session.commit()
    dump = database_dump()
    with pytest.raises(AssertionError, match="found in"):
        assert_absent(dump, [account.user.email], "the database")


def test_spellings_cover_normalised_forms() -> None:
    forms = spellings("Nguyễn  Thị-Lan")
    assert b"lan nguyen thi" in forms
    assert "nguyễn  thị-lan".encode() in forms
