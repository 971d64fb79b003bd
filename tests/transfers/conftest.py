"""A small world for transfer tests: a Bangkok agency owning a Cambodian person's case, the
Phnom Penh agency it may transfer to (the person consented), a partner NGO in Phnom Penh, and
a Manila agency there is no consent for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from casework.agencies.models import Agency
from casework.cases.models import Case
from casework.core.extensions import db
from casework.policy import Role
from tests import factories


@dataclass
class World:
    bangkok: Agency
    phnom_penh: Agency
    ngo: Agency
    manila: Agency
    caseworker: factories.Account  # Bangkok
    supervisor: factories.Account  # Bangkok
    kh_caseworker: factories.Account
    kh_supervisor: factories.Account
    partner: factories.Account  # the Phnom Penh NGO
    case: Case


@pytest.fixture
def world(app: Any) -> World:
    bangkok = factories.make_agency("Bangkok Shelter", country="TH")
    phnom_penh = factories.make_agency("Phnom Penh Reintegration", country="KH")
    ngo = factories.make_agency("Phnom Penh Counselling", country="KH")
    manila = factories.make_agency("Manila Help", country="PH")
    ngo.services_offered = ["psychosocial_counselling"]
    caseworker = factories.make_user(Role.CASEWORKER, bangkok)
    supervisor = factories.make_user(Role.SUPERVISOR, bangkok)
    kh_caseworker = factories.make_user(Role.CASEWORKER, phnom_penh)
    kh_supervisor = factories.make_user(Role.SUPERVISOR, phnom_penh)
    partner = factories.make_user(Role.PARTNER, ngo)
    case = factories.make_case(
        bangkok,
        assigned_to=caseworker.user,
        full_name="Canary Sokha Chan",
        phone="+66 81 234 5678",
        documents=(("Passport", "N0TRANSFER7"),),
    )
    factories.make_consent(case, "sharing", agency=phnom_penh)
    db.session.commit()
    return World(
        bangkok,
        phnom_penh,
        ngo,
        manila,
        caseworker,
        supervisor,
        kh_caseworker,
        kh_supervisor,
        partner,
        case,
    )


def propose(world: World, **overrides: Any) -> Any:
    """A transfer proposed through the operation, as the Bangkok caseworker (not committed)."""
    from casework.transfers.operations import propose_transfer

    values: dict[str, Any] = {
        "to_agency_id": world.phnom_penh.id,
        "shared_groups": ["identity_contact", "trafficking_context", "health_notes", "documents"],
        "reason": "Canary reason: returns home on Friday",
    }
    values.update(overrides)
    actor = values.pop("actor", world.caseworker.user)
    return propose_transfer(actor, world.case, **values)
