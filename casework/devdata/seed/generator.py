"""Generate a realistic, fully coded case load as plain rows (no ORM objects).

Everything random comes from one `random.Random(seed)`: the same seed gives the same people,
codes and dates (ciphertexts differ: nonces and data keys are random, as they must be).
Identifying fields are encrypted with `casework.encryption.bulk`, exactly as the models do.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from casework.cases.models import CaseNote, IdentityDocument, Person, TraffickingEvent
from casework.devdata.seed.names import person_name
from casework.domain import CLOSED_CASE_STATUSES, CaseStatus, ReferralStatus, ServiceStatus
from casework.encryption.bulk import new_data_key_row, seal_row
from casework.referrals.models import Referral
from casework.services.models import CounsellingSession, ServiceRecord
from casework.vocab import age_band

Rows = dict[str, list[dict[str, Any]]]

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


@dataclass
class OwningAgency:
    id: uuid.UUID
    country: str
    caseworkers: list[uuid.UUID]
    supervisor: uuid.UUID


@dataclass
class Provider:
    id: uuid.UUID
    country: str
    services: tuple[str, ...]
    staff: list[uuid.UUID]


@dataclass
class Generator:
    rng: random.Random
    owners: list[OwningAgency]
    providers: list[Provider]
    counters: dict[tuple[str, int], int] = field(default_factory=dict)

    def batch(self, size: int) -> Rows:
        rows: Rows = defaultdict(list)
        for _ in range(size):
            self.case(rows)
        return rows

    def reference(self, country: str, year: int) -> str:
        number = self.counters.get((country, year), 0) + 1
        self.counters[(country, year)] = number
        return f"{country}-{year}-{number:06d}"

    def case(self, rows: Rows) -> None:
        rng = self.rng
        owner = rng.choice(self.owners)
        worker = rng.choice(owner.caseworkers)
        key_row, cipher = new_data_key_row()
        rows["data_keys"].append(key_row)
        case_id = uuid.uuid4()
        identified = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days))
        citizenship = pick(rng, CITIZENSHIPS)
        age = max(6, min(70, int(rng.gauss(25, 9))))
        birth = identified - timedelta(days=age * 365 + rng.randrange(365))
        status = pick(rng, STATUSES)
        closed = status in CLOSED_CASE_STATUSES
        closed_at = at(identified + timedelta(days=rng.randrange(30, 400)), rng) if closed else None
        exploitation = pick(rng, EXPLOITATION)
        created = at(identified, rng)
        rows["cases"].append(
            {
                "id": case_id,
                "reference": self.reference(owner.country, identified.year),
                "agency_id": owner.id,
                "assigned_to_id": worker,
                "created_by_id": worker,
                "status": status,
                "closure_reason": rng.choice(("goals_met", "returned_reintegrated"))
                if closed
                else None,
                "closure_requested_at": closed_at,
                "closure_requested_by_id": worker if closed else None,
                "closure_requested_status": status if closed else None,
                "closed_at": closed_at,
                "closed_by_id": owner.supervisor if closed else None,
                "erased_at": None,
                "identified_on": identified,
                "identification_channel": pick(rng, CHANNELS),
                "risk_level": pick(rng, RISKS),
                "trafficking_status": rng.choice(
                    ("PossibleVictimOfTrafficking", "ActualVictimOfTrafficking")
                ),
                "status_decided_by": rng.choice(("Police", "NGO", None)),
                "forced_labour_industry": rng.choice(INDUSTRIES)
                if exploitation == "ForcedLabour"
                else None,
                "trafficker_relationship": rng.choice(("Familial", "Acquainted", "Unaquainted")),
                "age_when_trafficked": max(5, age - rng.randrange(3)),
                "gender": pick(rng, GENDERS),
                "age_at_identification": age,
                "age_band": age_band(age),
                "citizenship": citizenship,
                "education": rng.choice(("PrimaryEducation", "LowerSecondaryEducation", "Unknown")),
                "version": 1,
                "data_key_id": key_row["id"],
                "created_at": created,
                "updated_at": closed_at or created,
            }
        )
        self.person(rows, case_id, owner.id, cipher, citizenship, birth)
        self.codes(rows, case_id, exploitation)
        self.events(rows, case_id, owner, cipher, citizenship, identified, exploitation)
        self.consent(rows, case_id, "registration", None, identified, worker)
        if rng.random() < 0.9:
            self.consent(rows, case_id, "statistics", None, identified, worker)
        if rng.random() < 0.5:
            note_id = uuid.uuid4()
            rows["case_notes"].append(
                {
                    "id": note_id,
                    "case_id": case_id,
                    "author_id": worker,
                    "created_at": created,
                    "updated_at": created,
                    **seal_row(CaseNote, note_id, owner.id, cipher, {"body": rng.choice(NOTES)}),
                }
            )
        rows["timeline_entries"].append(
            {
                "id": uuid.uuid4(),
                "case_id": case_id,
                "at": created,
                "actor_id": worker,
                "agency_id": owner.id,
                "kind": "case.registered",
                "detail": None,
                "target_id": None,
            }
        )
        if self.providers and rng.random() < 0.45:
            for _ in range(rng.choice((1, 1, 2))):
                self.referral(rows, case_id, owner, worker, cipher, identified)

    def person(
        self,
        rows: Rows,
        case_id: uuid.UUID,
        agency_id: uuid.UUID,
        cipher: Any,
        citizenship: str,
        birth: date,
    ) -> None:
        rng = self.rng
        person_id = uuid.uuid4()
        phone = None
        if rng.random() < 0.7:
            digits = "".join(str(rng.randrange(10)) for _ in range(7))
            phone = f"{PHONE_PREFIX.get(citizenship, '+66 8')}{digits[:1]} {digits[1:]}"
        values = {
            "full_name": person_name(rng, citizenship),
            "other_names": person_name(rng, citizenship) if rng.random() < 0.2 else None,
            "date_of_birth": birth.isoformat(),
            "phone": phone,
            "languages": citizenship.lower(),
            "address": None,
            "email": None,
            "family_contacts": None,
        }
        now = datetime.now(UTC)
        rows["people"].append(
            {
                "id": person_id,
                "case_id": case_id,
                "created_at": now,
                "updated_at": now,
                **seal_row(Person, person_id, agency_id, cipher, values),
            }
        )
        if rng.random() < 0.7:
            doc_id = uuid.uuid4()
            number = f"{rng.choice('ABCNP')}{rng.randrange(10**7):07d}"
            rows["identity_documents"].append(
                {
                    "id": doc_id,
                    "case_id": case_id,
                    "doc_type": rng.choice(("passport", "national_id")),
                    "issuing_country": citizenship,
                    "created_at": now,
                    "updated_at": now,
                    **seal_row(IdentityDocument, doc_id, agency_id, cipher, {"number": number}),
                }
            )

    def codes(self, rows: Rows, case_id: uuid.UUID, exploitation: str) -> None:
        rng = self.rng
        values = [("exploitation_type", exploitation)]
        values += [("control_method", c) for c in rng.sample(CONTROL, rng.randrange(1, 4))]
        values.append(("recruitment_method", rng.choice(RECRUITMENT)))
        if exploitation == "SexualExploitation":
            values.append(("sexual_exploitation_type", rng.choice(("Prostitution", "Pornography"))))
        for vocabulary, code in values:
            rows["case_codes"].append(
                {"id": uuid.uuid4(), "case_id": case_id, "vocabulary": vocabulary, "code": code}
            )

    def events(
        self,
        rows: Rows,
        case_id: uuid.UUID,
        owner: OwningAgency,
        cipher: Any,
        citizenship: str,
        identified: date,
        exploitation: str,
    ) -> None:
        rng = self.rng
        start = identified - timedelta(days=rng.randrange(30, 900))
        places = [("recruitment", citizenship, start)]
        if rng.random() < 0.4:
            places.append(("transit", rng.choice(("TH", "MY", "LA")), start + timedelta(days=9)))
        places.append(("exploitation", owner.country, start + timedelta(days=20)))
        for kind, country, day in places:
            event_id = uuid.uuid4()
            now = datetime.now(UTC)
            text = f"{kind.capitalize()} ({exploitation}) reported in interview."
            rows["trafficking_events"].append(
                {
                    "id": event_id,
                    "case_id": case_id,
                    "kind": kind,
                    "country": country,
                    "occurred_on": day,
                    "created_at": now,
                    "updated_at": now,
                    **seal_row(TraffickingEvent, event_id, owner.id, cipher, {"description": text}),
                }
            )

    def consent(
        self,
        rows: Rows,
        case_id: uuid.UUID,
        purpose: str,
        agency: uuid.UUID | None,
        given_on: date,
        recorded_by: uuid.UUID,
    ) -> None:
        created = at(given_on, self.rng)
        rows["consents"].append(
            {
                "id": uuid.uuid4(),
                "case_id": case_id,
                "purpose": purpose,
                "shared_with_agency_id": agency,
                "given_on": given_on,
                "method": self.rng.choice(("signed_form", "verbal_witnessed")),
                "recorded_by_id": recorded_by,
                "attachment_id": None,
                "withdrawn_at": None,
                "withdrawn_by_id": None,
                "created_at": created,
                "updated_at": created,
            }
        )

    def referral(
        self,
        rows: Rows,
        case_id: uuid.UUID,
        owner: OwningAgency,
        worker: uuid.UUID,
        cipher: Any,
        identified: date,
    ) -> None:
        rng = self.rng
        provider = rng.choice(self.providers)
        if provider.id == owner.id:
            return
        sent_on = identified + timedelta(days=rng.randrange(1, 60))
        self.consent(rows, case_id, "sharing", provider.id, sent_on, worker)
        status = pick(rng, REFERRAL_OUTCOMES)
        sent = at(sent_on, rng)
        answered = sent + timedelta(hours=rng.randrange(2, 24 * 14))
        referral_id = uuid.uuid4()
        services = rng.sample(provider.services, min(len(provider.services), rng.choice((1, 2))))
        rows["referrals"].append(
            {
                "id": referral_id,
                "case_id": case_id,
                "from_agency_id": owner.id,
                "to_agency_id": provider.id,
                "from_country": owner.country,
                "to_country": provider.country,
                "created_by_id": worker,
                "urgency": rng.choice(("routine", "routine", "urgent", "emergency")),
                "shared_groups": ["trafficking_context", "health_notes"],
                "status": status,
                "responded_at": answered if status not in UNANSWERED else None,
                "responded_by_id": rng.choice(provider.staff)
                if status != ReferralStatus.PENDING
                else None,
                "completed_at": answered + timedelta(days=60)
                if status == ReferralStatus.COMPLETED
                else None,
                "revoked_at": answered if status == ReferralStatus.REVOKED else None,
                "expired_at": sent + timedelta(days=14)
                if status == ReferralStatus.EXPIRED
                else None,
                "created_at": sent,
                "updated_at": answered,
                **seal_row(
                    Referral,
                    referral_id,
                    owner.id,
                    cipher,
                    {"reason": "Needs support after identification.", "decline_reason": None},
                ),
            }
        )
        for service_type in services:
            rows["referral_services"].append(
                {"id": uuid.uuid4(), "referral_id": referral_id, "service_type": service_type}
            )
            if status in SERVED:
                self.service(
                    rows, case_id, owner, provider, referral_id, service_type, cipher, sent
                )

    def service(
        self,
        rows: Rows,
        case_id: uuid.UUID,
        owner: OwningAgency,
        provider: Provider,
        referral_id: uuid.UUID,
        service_type: str,
        cipher: Any,
        sent: datetime,
    ) -> None:
        rng = self.rng
        service_id = uuid.uuid4()
        start = sent.date() + timedelta(days=rng.randrange(1, 20))
        done = rng.random() < 0.6
        rows["service_records"].append(
            {
                "id": service_id,
                "case_id": case_id,
                "provider_agency_id": provider.id,
                "referral_id": referral_id,
                "service_type": service_type,
                "status": ServiceStatus.COMPLETED if done else ServiceStatus.IN_PROGRESS,
                "discontinued_reason": None,
                "start_on": start,
                "end_on": start + timedelta(days=rng.randrange(20, 120)) if done else None,
                "due_on": start + timedelta(days=90),
                "outcome": rng.choice(("goals_met", "partly_met")) if done else None,
                "created_by_id": rng.choice(provider.staff),
                "version": 1,
                "created_at": sent,
                "updated_at": sent,
                **seal_row(
                    ServiceRecord, service_id, owner.id, cipher, {"notes": "Service started."}
                ),
            }
        )
        if service_type != "psychosocial_counselling":
            return
        for number in range(rng.randrange(0, 5)):
            session_id = uuid.uuid4()
            rows["counselling_sessions"].append(
                {
                    "id": session_id,
                    "case_id": case_id,
                    "service_id": service_id,
                    "held_on": start + timedelta(days=7 * number),
                    "duration_minutes": rng.choice((45, 60, 90)),
                    "counsellor_id": rng.choice(provider.staff),
                    "modality": rng.choice(("in_person", "in_person", "phone", "video")),
                    "risk_flags": [],
                    "next_appointment_on": None,
                    "created_at": sent,
                    "updated_at": sent,
                    **seal_row(
                        CounsellingSession,
                        session_id,
                        owner.id,
                        cipher,
                        {"notes": "Session held; sleeping better, worried about family debt."},
                    ),
                }
            )


INSERT_ORDER = (
    "data_keys",
    "cases",
    "people",
    "identity_documents",
    "case_codes",
    "trafficking_events",
    "case_notes",
    "consents",
    "timeline_entries",
    "referrals",
    "referral_services",
    "service_records",
    "counselling_sessions",
)
