"""Demo linked cases (issue 14, decision 0114): people the police unit found at the same
workplace, or brought by the same broker. The police supervisor sees both links; a caseworker
sees a link only when both of its cases are assigned to them. Every person is invented."""

from __future__ import annotations

from sqlalchemy import select

from casework import audit
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.cases.models import Case
from casework.core.extensions import db
from casework.devdata.case_data import POLICE, POLICE_WORKER
from casework.links.models import CaseLink, pair_of

# (name of one person, name of the other, kind, note): both cases of the police unit.
DEMO_LINKS = (
    (
        "Nguyễn Thị Hoa",
        "សុខ ចាន់ធី",
        "SameEventOrPlace",
        "Both found at the same seafood processing plant during one labour inspection.",
    ),
    (
        "สมหญิง แก้วมณี",
        "Nguyễn Thị Hoa",
        "SameRecruiter",
        "Both were offered work in Bangkok by the same broker at the Mae Sot bus station.",
    ),
)


def load_demo_links() -> int:
    """Link the demo cases of DEMO_LINKS once; the number of links made."""
    agency = db.session.execute(select(Agency).where(Agency.name == POLICE)).scalar_one_or_none()
    if agency is None:
        return 0
    worker = db.session.execute(
        select(User).where(User.email == POLICE_WORKER)
    ).scalar_one_or_none()
    cases = db.session.execute(select(Case).where(Case.agency_id == agency.id)).scalars()
    by_name = {case.person.full_name: case for case in cases if case.person is not None}
    made = 0
    for one_name, other_name, kind, note in DEMO_LINKS:
        one, other = by_name.get(one_name), by_name.get(other_name)
        if one is None or other is None:
            continue
        pair = pair_of(one.id, other.id)
        if db.session.execute(select(CaseLink.id).where(CaseLink.pair == pair)).first():
            continue
        link = CaseLink(
            case=one,
            other_case=other,
            pair=pair,
            kind=kind,
            created_by_id=worker.id if worker is not None else None,
        )
        link.note = note
        db.session.add(link)
        made += 1
    if made:
        db.session.flush()
        audit.record("demo.links_loaded", detail=f"count={made}")
    return made
