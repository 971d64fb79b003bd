"""Fixtures for the crypto tests: a keyring, a wrapper, a data key and a field's place."""

from __future__ import annotations

import uuid

import pytest

from casework.crypto import FieldContext, Keyring, LocalKeyWrapper, generate_keyring, new_data_key


@pytest.fixture(autouse=True)
def _clean_state() -> None:
    """Override the suite's per-test app and database reset: casework.crypto needs neither
    (and must not: it is framework-independent), so these tests never build the app."""


@pytest.fixture
def keyring() -> Keyring:
    return generate_keyring()


@pytest.fixture
def wrapper(keyring: Keyring) -> LocalKeyWrapper:
    return LocalKeyWrapper(keyring)


@pytest.fixture
def data_key() -> bytes:
    return new_data_key()


@pytest.fixture
def context() -> FieldContext:
    return FieldContext("persons", "family_name", uuid.uuid4(), uuid.uuid4())
