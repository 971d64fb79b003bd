"""The HTCDS data migrations carry existing rows across, on SQLite and (when configured)
PostgreSQL, and the reports' figures for seeded data are the same before and after."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import flask_migrate
from sqlalchemy import text

from casework.cases.models import Case, TraffickingEvent
from casework.core.extensions import db
from casework.reports.queries import count_table
from casework.reports.request import REGION, Period, ReportRequest, Scope
from casework.reports.templates import TEMPLATES
from tests.conftest import build_app
from tests.factories import make_agency, make_case, make_consent
from tests.test_migrations import MIGRATIONS, database_url, postgres_scratch_url

__all__ = ["database_url", "postgres_scratch_url"]  # the fixtures, for pytest

BEFORE_CODES = "a6087e4947a7"  # before the education levels and event stages as HTCDS spells them
BEFORE_CITIZENSHIPS = "aea7a5abd4ea"  # before citizenship became several a person
REPORTED = (
    "victims_by_citizenship",
    "victims_by_exploitation_country",
    "flows_citizenship_exploitation",
)


def _figures() -> dict[str, tuple[tuple[int, ...], ...]]:
    figures = {}
    for template in REPORTED:
        request = ReportRequest(
            template, TEMPLATES[template].unit, Scope(REGION), Period("2026-Q1"), "standard"
        )
        figures[template] = count_table(request).counts
    return figures


def _seed() -> dict[str, object]:
    agency = make_agency(country="TH")
    on = date(2026, 2, 2)
    ids: dict[str, object] = {}
    for name, education, places in (
        ("bachelor", "BachelorsOrEquivalentLevel", (("Recruitment", "KH"), ("Exploitation", "TH"))),
        ("master", "MastersOrEquivalentLevel", (("Transit", "LA"), ("Exploitation", "MY"))),
        ("none", None, (("Exploitation", "TH"),)),
        ("unknown", None, ()),
        ("primary", "PrimaryEducation", (("Exploitation", "TH"),)),
    ):
        case = make_case(agency, identified_on=on, citizenship="KH")
        case.education = education
        make_consent(case, "statistics", given_on=on)
        for kind, country in places:
            case.events.append(TraffickingEvent(kind=kind, country=country, occurred_on=on))
        ids[name] = case.id
    db.session.commit()
    return ids


def test_education_and_event_codes_are_carried_across(database_url: str, tmp_path: Path) -> None:
    app = build_app(str(tmp_path), SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        ids = _seed()
        figures = _figures()
        assert sum(map(sum, figures["victims_by_exploitation_country"])) == 5
        db.session.remove()

        flask_migrate.downgrade(directory=MIGRATIONS, revision=BEFORE_CODES)
        with db.engine.begin() as conn:
            # The codes of before, as the old forms wrote them.
            for name, old in (("none", "None"), ("unknown", "Unknown")):
                conn.execute(
                    text("UPDATE cases SET education = :old WHERE id = :id"),
                    {"old": old, "id": ids[name].hex if _sqlite() else ids[name]},
                )
            kinds = {row[0] for row in conn.execute(text("SELECT kind FROM trafficking_events"))}
            educations = {row[0] for row in conn.execute(text("SELECT education FROM cases"))}
            # The old report's query: exploitation events by country.
            old_counts = dict(
                conn.execute(
                    text(
                        "SELECT country, COUNT(DISTINCT case_id) FROM trafficking_events "
                        "WHERE kind = 'exploitation' GROUP BY country"
                    )
                ).all()
            )
        assert kinds == {"recruitment", "transit", "exploitation"}
        assert educations == {
            "BachelorOrEquivalentLevel",
            "MasterOrEquivalentLevel",
            "None",
            "Unknown",
            "PrimaryEducation",
        }
        assert old_counts == {"TH": 3, "MY": 1}

        flask_migrate.upgrade(directory=MIGRATIONS)
        assert _figures() == figures
        by_name = {name: db.session.get(Case, case_id) for name, case_id in ids.items()}
        assert {name: case.education for name, case in by_name.items() if case} == {
            "bachelor": "BachelorsOrEquivalentLevel",
            "master": "MastersOrEquivalentLevel",
            "none": "EarlyChildhoodEducation",
            "unknown": None,
            "primary": "PrimaryEducation",
        }
        assert {e.kind for case in by_name.values() if case for e in case.events} == {
            "Recruitment",
            "Transit",
            "Exploitation",
        }
        db.session.remove()
        db.engine.dispose()


def test_each_citizenship_is_carried_across(database_url: str, tmp_path: Path) -> None:
    """The one citizenship of before becomes the person's citizenship code; the reports by
    citizenship count the same people in the same rows."""
    app = build_app(str(tmp_path), SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        agency = make_agency(country="TH")
        on = date(2026, 2, 2)
        wanted = {}
        for citizenship in ("KH", "KH", "MM", "LA", "FR", None):
            case = make_case(agency, identified_on=on, citizenship=citizenship)
            make_consent(case, "statistics", given_on=on)
            case.events.append(TraffickingEvent(kind="Exploitation", country="TH"))
            wanted[case.id] = [citizenship] if citizenship else []
        db.session.commit()
        figures = _figures()
        assert sum(map(sum, figures["victims_by_citizenship"])) == 6
        db.session.remove()

        flask_migrate.downgrade(directory=MIGRATIONS, revision=BEFORE_CITIZENSHIPS)
        with db.engine.begin() as conn:
            # The old report's query: cases by their one citizenship.
            old_counts = dict(
                conn.execute(
                    text("SELECT citizenship, COUNT(*) FROM cases GROUP BY citizenship")
                ).all()
            )
            left = conn.execute(
                text("SELECT COUNT(*) FROM case_codes WHERE vocabulary = 'citizenship'")
            ).scalar_one()
        assert old_counts == {"KH": 2, "MM": 1, "LA": 1, "FR": 1, None: 1}
        assert left == 0

        flask_migrate.upgrade(directory=MIGRATIONS)
        assert _figures() == figures
        held = {case_id: db.session.get(Case, case_id) for case_id in wanted}
        assert {i: case.codes_of("citizenship") for i, case in held.items() if case} == wanted
        db.session.remove()
        db.engine.dispose()


def _sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"
