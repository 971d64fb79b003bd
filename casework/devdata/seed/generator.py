"""Generate a realistic, fully coded case load as plain rows (no ORM objects).

Everything random comes from one `random.Random(seed)`: the same seed gives the same people,
codes and dates (ciphertexts differ: nonces and data keys are random, as they must be).
Identifying fields are encrypted with `casework.encryption.bulk`, exactly as the models do.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from casework.cases.models import CaseNote, IdentityDocument, Person, TraffickingEvent
from casework.devdata.seed.names import person_name
from casework.devdata.seed.referral_rows import referral_rows
from casework.devdata.seed.weights import (
    CHANNELS,
    CITIZENSHIPS,
    CONTROL,
    EXPLOITATION,
    FIRST_DAY,
    GENDERS,
    INDUSTRIES,
    LAST_DAY,
    NOTES,
    PHONE_PREFIX,
    RECRUITMENT,
    RISKS,
    STATUSES,
    at,
    pick,
)
from casework.domain import CLOSED_CASE_STATUSES, NoteCategory
from casework.encryption.bulk import new_data_key_row, seal_row
from casework.vocab import EXPLOITATION_EVENT, RECRUITMENT_EVENT, TRANSIT_EVENT, age_band

Rows = dict[str, list[dict[str, Any]]]


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
    # The current case's (case, purpose, agency) consents: one current each (a unique index).
    consented: set[tuple[uuid.UUID, str, uuid.UUID | None]] = field(default_factory=set)

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
        self.consented.clear()  # per case: memory stays flat over any number of cases
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
                "sealed_for_agency_id": owner.id,
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
                "education": rng.choice(("PrimaryEducation", "LowerSecondaryEducation", None)),
                "version": 1,
                "data_key_id": key_row["id"],
                "created_at": created,
                "updated_at": closed_at or created,
            }
        )
        self.person(rows, case_id, owner.id, cipher, citizenship, birth)
        self.codes(rows, case_id, citizenship, exploitation)
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
                    "category": NoteCategory.CASE_MANAGEMENT.value,
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

    def codes(self, rows: Rows, case_id: uuid.UUID, citizenship: str, exploitation: str) -> None:
        rng = self.rng
        values = [("citizenship", citizenship), ("exploitation_type", exploitation)]
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
        places = [(RECRUITMENT_EVENT, citizenship, start)]
        if rng.random() < 0.4:
            places.append(
                (TRANSIT_EVENT, rng.choice(("TH", "MY", "LA")), start + timedelta(days=9))
            )
        places.append((EXPLOITATION_EVENT, owner.country, start + timedelta(days=20)))
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
        if (case_id, purpose, agency) in self.consented:
            return  # a second referral to the same agency rests on the same consent
        self.consented.add((case_id, purpose, agency))
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

    def referral(self, rows: Rows, case_id: uuid.UUID, owner: OwningAgency, *args: Any) -> None:
        referral_rows(self, rows, case_id, owner, *args)


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
