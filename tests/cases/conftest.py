"""Two agencies, for the case tests: A (Thailand) and B (Cambodia)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from casework.agencies.models import Agency
from casework.core.extensions import db
from tests import factories


@dataclass
class Agencies:
    a: Agency
    b: Agency


@pytest.fixture
def agencies() -> Agencies:
    pair = Agencies(
        factories.make_agency("Agency A", country="TH"),
        factories.make_agency("Agency B", country="KH"),
    )
    db.session.commit()
    return pair
