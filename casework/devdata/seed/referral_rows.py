"""The referrals of a generated case, and the services and counselling sessions recorded under
the ones that were taken up (rows, as the generator writes them)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from casework.devdata.seed.weights import REFERRAL_OUTCOMES, SERVED, UNANSWERED, at, pick
from casework.domain import ReferralStatus, ServiceStatus
from casework.encryption.bulk import seal_row
from casework.referrals.models import Referral
from casework.services.models import CounsellingSession, ServiceRecord

if TYPE_CHECKING:
    from casework.devdata.seed.generator import Generator, OwningAgency, Provider, Rows


def referral_rows(
    gen: Generator,
    rows: Rows,
    case_id: uuid.UUID,
    owner: OwningAgency,
    worker: uuid.UUID,
    cipher: Any,
    identified: date,
) -> None:
    rng = gen.rng
    provider = rng.choice(gen.providers)
    if provider.id == owner.id:
        return
    sent_on = identified + timedelta(days=rng.randrange(1, 60))
    gen.consent(rows, case_id, "sharing", provider.id, sent_on, worker)
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
            "expired_at": sent + timedelta(days=14) if status == ReferralStatus.EXPIRED else None,
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
            service_rows(
                gen, rows, case_id, owner, provider, referral_id, service_type, cipher, sent
            )


def service_rows(
    gen: Generator,
    rows: Rows,
    case_id: uuid.UUID,
    owner: OwningAgency,
    provider: Provider,
    referral_id: uuid.UUID,
    service_type: str,
    cipher: Any,
    sent: datetime,
) -> None:
    rng = gen.rng
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
            **seal_row(ServiceRecord, service_id, owner.id, cipher, {"notes": "Service started."}),
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
