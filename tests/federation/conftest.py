"""Federation fixtures: the test app as a federated installation, and a peer on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.federation.installations import Installation, give_federation_keys, installation


@pytest.fixture
def federated(app: Flask) -> Iterator[Flask]:
    """The test app with federation keys, a name and an address."""
    give_federation_keys(app)
    saved = {k: app.config.get(k) for k in ("FEDERATION_NAME", "FEDERATION_ADDRESS")}
    app.config.update(
        FEDERATION_NAME="Thailand (test)",
        FEDERATION_ADDRESS="https://th.casework.test",
        FEDERATION_ALLOW_LOOPBACK_HTTP=True,
    )
    yield app
    app.config.update(saved, FEDERATION_ALLOW_LOOPBACK_HTTP=False)


@pytest.fixture(scope="module")
def cambodia(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    with installation(Path(tmp_path_factory.mktemp("kh")), "Cambodia (test)") as running:
        yield running
