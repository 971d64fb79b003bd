"""How often each code occurs in a generated case load, and the random helpers that draw from
these weights (one `random.Random(seed)`: the same seed, the same draws)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import TypeVar

from casework.domain import CaseStatus, ReferralStatus

CITIZENSHIPS = {"KH": 22, "MM": 20, "LA": 12, "VN": 14, "TH": 8, "PH": 8, "ID": 7, "BD": 4}
CITIZENSHIPS |= {"NP": 3, "CN": 2}
EXPLOITATION = {"ForcedLabour": 50, "SexualExploitation": 28, "ForcedMarriage": 5}
EXPLOITATION |= {"ForcedBegging": 5, "ChildLabour": 5, "Servitude": 4, "Other": 3}
GENDERS = {"Feminine": 58, "Masculine": 38, "TransgenderFeminine": 1, "NonSpecifiedUnknown": 3}
CHANNELS = {"hotline": 18, "police": 30, "labour_inspection": 14, "outreach": 20}
CHANNELS |= {"self_referral": 8, "other_agency": 10}
STATUSES = {
    CaseStatus.ACTIVE: 55,
    CaseStatus.FOLLOW_UP: 17,
    CaseStatus.CLOSED: 22,
    CaseStatus.CLOSED_REFERRED: 6,
}
RISKS = {"low": 30, "medium": 40, "high": 22, "critical": 8}
CONTROL: tuple[str, ...] = ("DebtBondage", "WithholdsDocuments", "FalsePromises", "PhysicalThreats")
CONTROL += ("TakesEarnings", "ExcessiveWorkingHours", "PsychologicalAbuse")
RECRUITMENT: tuple[str, ...] = (
    "ThroughFriendsOrSocialEvents",
    "ThroughOnlineSocialNetworks",
    "AtWork",
)
RECRUITMENT += ("ThroughFamilyOrFamilyEvents", "ThroughAnOnlineAdvertisement")
INDUSTRIES: tuple[str, ...] = (
    "A_AgricultureForestryAndFishing",
    "C_Manufacturing",
    "F_Construction",
)
INDUSTRIES += ("T_ActivitiesOfHouseholdsAsEmployers", "I_AccommodationAndFoodServiceActivities")
REFERRAL_OUTCOMES = {
    ReferralStatus.PENDING: 15,
    ReferralStatus.ACCEPTED: 35,
    ReferralStatus.DECLINED: 10,
    ReferralStatus.COMPLETED: 35,
    ReferralStatus.REVOKED: 2,
    ReferralStatus.EXPIRED: 3,
}
T = TypeVar("T")
UNANSWERED = frozenset({ReferralStatus.PENDING, ReferralStatus.EXPIRED})
SERVED = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED})  # services recorded
PHONE_PREFIX = {"TH": "+66 8", "KH": "+855 1", "MM": "+95 9", "LA": "+856 20", "VN": "+84 9"}
PHONE_PREFIX |= {"PH": "+63 9", "ID": "+62 8", "BD": "+880 1", "NP": "+977 98", "CN": "+86 13"}
NOTES = (
    "Interview held with an interpreter; the person is tired and asked to continue tomorrow.",
    "Medical check arranged; follow up on documents held by the employer.",
    "Family contacted with consent; the person wishes to return home after the case.",
)
FIRST_DAY, LAST_DAY = date(2023, 1, 1), date(2026, 10, 31)


def pick(rng: random.Random, weights: Mapping[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randrange(8, 18), rng.randrange(60)), tzinfo=UTC)
