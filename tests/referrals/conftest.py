"""A small world for referral tests: a Thai police unit owning a case, a Cambodian
counselling NGO it may refer to (with the person's consent), and a Philippine legal aid
clinic it has no consent for."""

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
    police: Agency
    ngo: Agency
    legal: Agency
    caseworker: factories.Account
    supervisor: factories.Account
    partner: factories.Account
    ngo_supervisor: factories.Account
    legal_partner: factories.Account
    case: Case


@pytest.fixture
def world(app: Any) -> World:
    police = factories.make_agency("TH Police", country="TH", org_type="LawEnforcement")
    ngo = factories.make_agency("KH Counselling", country="KH")
    legal = factories.make_agency("PH Legal Aid", country="PH", org_type="LegalService")
    police.services_offered = ["shelter"]
    ngo.services_offered = ["psychosocial_counselling", "reintegration", "return_repatriation"]
    legal.services_offered = ["legal_aid", "psychosocial_counselling"]
    caseworker = factories.make_user(Role.CASEWORKER, police)
    supervisor = factories.make_user(Role.SUPERVISOR, police)
    partner = factories.make_user(Role.PARTNER, ngo)
    ngo_supervisor = factories.make_user(Role.SUPERVISOR, ngo)
    legal_partner = factories.make_user(Role.PARTNER, legal)
    case = factories.make_case(
        police,
        assigned_to=caseworker.user,
        full_name="Canary Sreymom Vann",
        phone="+855 12 345 678",
        documents=(("Passport", "N0CANARY42"),),
    )
    factories.make_consent(case, "sharing", agency=ngo)
    db.session.commit()
    return World(
        police, ngo, legal, caseworker, supervisor, partner, ngo_supervisor, legal_partner, case
    )


def refer(world: World, **overrides: Any) -> Any:
    """A referral made through the operation, as the caseworker (not committed)."""
    from casework.referrals.operations import create_referral

    values: dict[str, Any] = {
        "to_agency_id": world.ngo.id,
        "services": ["psychosocial_counselling"],
        "urgency": "urgent",
        "reason": "Canary reason: nightmares since rescue",
        "reason_code": "AdditionalServicesRequired",
        "shared_groups": ["trafficking_context"],
    }
    values.update(overrides)
    actor = values.pop("actor", world.caseworker.user)
    return create_referral(actor, world.case, **values)
