"""Shared steps for the role journeys (tests/e2e/test_role_journeys.py): the agencies a
journey needs, a signed-in browser page per person (each in its own browser context, so two
people's sessions never mix), and the server's environment for `flask` commands."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from casework.agencies.models import Agency
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.e2e.conftest import sign_in_page

# Settings that would point a `flask` command at another database, key file or Redis.
PRIVATE_PREFIXES = ("CASEWORK_", "DATABASE_", "REDIS_", "SECRET_", "TEST_", "FLASK_")


@dataclass
class Agencies:
    """A Thai police unit that registers and refers, and a Cambodian NGO offering counselling."""

    referring: Agency
    counselling: Agency


def make_agencies() -> Agencies:
    referring = factories.make_agency(
        "Anti-trafficking police unit", country="TH", org_type="LawEnforcement"
    )
    counselling = factories.make_agency("Phnom Penh counselling centre", country="KH")
    counselling.services_offered = ["psychosocial_counselling", "shelter"]
    db.session.flush()
    return Agencies(referring, counselling)


Opener = Callable[[factories.Account], Any]


@pytest.fixture
def open_as(browser: Any, live_server: str) -> Iterator[Opener]:
    """`page = open_as(account)`: that person signed in, in a browser context of their own."""
    contexts: list[Any] = []

    def _open(account: factories.Account) -> Any:
        db.session.commit()
        context = browser.new_context(base_url=live_server, locale="en-GB")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        sign_in_page(page, account)
        return page

    yield _open
    for context in contexts:
        context.close()


def account(role: Role, agency: Agency) -> factories.Account:
    made = factories.make_user(role, agency)
    db.session.commit()
    return made


def server_environment(app: Flask) -> dict[str, str]:
    """The environment the live server runs with: its database, key file, instance and Redis."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(PRIVATE_PREFIXES)}
    env |= {
        "CASEWORK_ENV": "testing",
        "CASEWORK_INSTANCE_DIR": str(app.config["INSTANCE_DIR"]),
        "CASEWORK_KEY_FILE": str(app.config["KEY_FILE"]),
        "TEST_DATABASE_URL": str(app.config["SQLALCHEMY_DATABASE_URI"]),
    }
    if app.config.get("REDIS_URL"):
        env["REDIS_URL"] = str(app.config["REDIS_URL"])
    return env


def case_id_from(url: str) -> str:
    match = re.search(r"/cases/([0-9a-f-]{36})", url)
    assert match, url
    return match.group(1)
