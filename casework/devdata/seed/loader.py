"""`flask seed --cases N`: agencies and staff across the region, then N generated cases.

Rows go in by batches: PostgreSQL's COPY where available (the fast path the goal of
100,000 cases in under two minutes needs), plain multi-row INSERTs elsewhere. Each batch
commits, so memory stays flat and an interruption keeps what was written.
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select

from casework import audit
from casework.agencies.models import Agency
from casework.auth import passwords
from casework.auth.models import User
from casework.cases.models import ReferenceCounter
from casework.core.db import Base, utcnow
from casework.core.extensions import db
from casework.devdata.seed.generator import INSERT_ORDER, Generator, OwningAgency, Provider, Rows
from casework.policy import Role

# (name, type, country, owns cases, services offered)
SEED_AGENCIES: tuple[tuple[str, str, str, bool, tuple[str, ...]], ...] = (
    ("Seed: Bangkok Police Anti-Trafficking Division", "LawEnforcement", "TH", True, ()),
    ("Seed: Chiang Mai Social Welfare Office", "LocalGovernmentOrganisation", "TH", True, ()),
    ("Seed: Phnom Penh Anti-Human Trafficking Police", "LawEnforcement", "KH", True, ()),
    ("Seed: Yangon Anti-Trafficking Task Force", "LawEnforcement", "MM", True, ()),
    ("Seed: Vientiane Social Welfare Department", "CentralGovernmentOrganisation", "LA", True, ()),
    ("Seed: Hanoi Border Guard Unit", "LawEnforcement", "VN", True, ()),
    ("Seed: Manila Inter-Agency Council Desk", "CentralGovernmentOrganisation", "PH", True, ()),
    ("Seed: Jakarta Migrant Protection Office", "CentralGovernmentOrganisation", "ID", True, ()),
    (
        "Seed: Mekong Women's Shelter",
        "NGO",
        "TH",
        False,
        ("shelter", "psychosocial_counselling", "health_care"),
    ),
    (
        "Seed: Siem Reap Recovery Centre",
        "NGO",
        "KH",
        False,
        ("psychosocial_counselling", "reintegration", "vocational_training"),
    ),
    ("Seed: Mandalay Legal Aid Clinic", "LegalService", "MM", False, ("legal_aid",)),
    (
        "Seed: Regional Return Programme",
        "InternationalOrganisation",
        "TH",
        False,
        ("return_repatriation", "family_tracing", "reintegration"),
    ),
    ("Seed: Cebu Counselling Network", "NGO", "PH", False, ("psychosocial_counselling",)),
)
CASEWORKERS_PER_AGENCY = 4


def _ensure_staff(agency: Agency, role: Role, count: int, unusable_hash: str) -> list[User]:
    users = list(
        db.session.execute(
            select(User).where(User.agency_id == agency.id, User.role == role.value)
        ).scalars()
    )
    slug = "".join(ch for ch in agency.name.lower() if ch.isalnum())[4:24]
    for number in range(len(users), count):
        user = User(
            email=f"{role.value}{number + 1}.{slug}@seed.casework.example",
            name=f"Seed {role.value} {number + 1}",
            agency_id=agency.id,
            role=role.value,
            # No one knows this password: seeded staff exist to own and answer cases.
            password_hash=unusable_hash,
            must_change_password=True,
            approved_at=utcnow(),
        )
        db.session.add(user)
        users.append(user)
    return users


def ensure_agencies() -> tuple[list[OwningAgency], list[Provider]]:
    """The seed agencies and their staff (created once), plus any agencies already here."""
    unusable_hash = passwords.hash_password(secrets.token_urlsafe(32))
    owners, providers = [], []
    for name, org_type, country, owns_cases, services in SEED_AGENCIES:
        agency = db.session.execute(select(Agency).where(Agency.name == name)).scalar_one_or_none()
        if agency is None:
            agency = Agency(name=name, org_type=org_type, country=country)
            db.session.add(agency)
            db.session.flush()
        if owns_cases:
            workers = _ensure_staff(agency, Role.CASEWORKER, CASEWORKERS_PER_AGENCY, unusable_hash)
            (supervisor,) = _ensure_staff(agency, Role.SUPERVISOR, 1, unusable_hash)
            db.session.flush()
            owners.append(OwningAgency(agency.id, country, [w.id for w in workers], supervisor.id))
        else:
            staff = _ensure_staff(agency, Role.PARTNER, 2, unusable_hash)
            db.session.flush()
            providers.append(Provider(agency.id, country, services, [s.id for s in staff]))
    _add_existing_agencies(owners, providers)
    db.session.commit()
    return owners, providers


def _add_existing_agencies(owners: list[OwningAgency], providers: list[Provider]) -> None:
    """Agencies already here (the demo's, a real pilot's test agencies) take part too, so
    their staff can sign in and see a realistic load: an agency with a caseworker and a
    supervisor owns cases; one with partners receives referrals."""
    known = {o.id for o in owners} | {p.id for p in providers}
    staff: dict[Any, dict[str, list[Any]]] = {}
    active = select(User).join(Agency).where(User.active.is_(True), Agency.active.is_(True))
    for user in db.session.execute(active).scalars():
        if user.agency_id not in known:
            staff.setdefault(user.agency_id, {}).setdefault(user.role, []).append(user.id)
    for agency_id, by_role in staff.items():
        agency = db.session.get_one(Agency, agency_id)
        workers, supervisors = by_role.get("caseworker", []), by_role.get("supervisor", [])
        if workers and supervisors:
            owners.append(OwningAgency(agency.id, agency.country, workers, supervisors[0]))
        if by_role.get("partner"):
            offered = tuple(getattr(agency, "services_offered", None) or ())
            services = offered or ("psychosocial_counselling",)
            providers.append(Provider(agency.id, agency.country, services, by_role["partner"]))


def _load_counters() -> dict[tuple[str, int], int]:
    counters = db.session.execute(select(ReferenceCounter)).scalars()
    return {(c.prefix, c.year): c.last for c in counters}


def _save_counters(counters: dict[tuple[str, int], int]) -> None:
    for (prefix, year), last in counters.items():
        row = db.session.get(ReferenceCounter, (prefix, year), with_for_update=True)
        if row is None:
            db.session.add(ReferenceCounter(prefix=prefix, year=year, last=last))
        else:
            row.last = max(row.last, last)


def _copy_value(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, list) else value


def write_rows(rows: Rows) -> int:
    """Insert a batch's rows, parents first. Returns how many rows were written."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # Generated data: losing the last batches in a crash is fine; waiting for each
        # batch's WAL flush is not needed.
        connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
    written = 0
    for table_name in INSERT_ORDER:
        batch = rows.get(table_name)
        if not batch:
            continue
        columns = list(batch[0])
        if connection.dialect.name == "postgresql":
            raw = connection.connection.driver_connection
            statement = f"COPY {table_name} ({', '.join(columns)}) FROM STDIN"
            with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
                for row in batch:
                    copy.write_row([_copy_value(row[c]) for c in columns])
        else:
            connection.execute(insert(Base.metadata.tables[table_name]), batch)
        written += len(batch)
    return written


def seed_cases(
    count: int,
    *,
    seed: int,
    batch_size: int = 2000,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Generate `count` cases (with their people, referrals, services...). Returns rows written."""
    owners, providers = ensure_agencies()
    generator = Generator(random.Random(seed), owners, providers, _load_counters())  # noqa: S311 - repeatable synthetic data, not secrets
    written = 0
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        written += write_rows(generator.batch(size))
        _save_counters(generator.counters)
        db.session.commit()
        done += size
        if progress:
            progress(size)
    audit.record("seed.loaded", detail=f"cases={count} seed={seed}")
    db.session.commit()
    if db.session.connection().dialect.name == "postgresql":
        # Fresh statistics for the planner: without them, the first queries over a large
        # load plan for an empty table (seen: 1.3 s instead of 30 ms for a dashboard).
        db.session.connection().exec_driver_sql("ANALYZE")
        db.session.commit()
    return written
