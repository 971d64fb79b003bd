"""Optional services for tests: skip on a laptop without them, fail under CI."""

from __future__ import annotations

import os

import pytest

IN_CI = bool(os.environ.get("CI"))


def need(condition: bool, reason: str) -> None:
    """Skip (on a laptop) or fail (under CI) when a service or tool a test needs is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


def postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


def any_postgres_url() -> str | None:
    """PostgreSQL for tests that exercise both dialects whatever the main test database is:
    TEST_DATABASE_URL when it is PostgreSQL, else TEST_POSTGRES_URL (CI sets both)."""
    url = postgres_url() or os.environ.get("TEST_POSTGRES_URL", "")
    return url if url.startswith("postgresql") else None


def redis_url() -> str | None:
    return os.environ.get("REDIS_URL") or None
