"""Erasure: identifying data and files of a closed case become unreadable for good; coded
fields stay; the retention command erases what is due."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, text

from casework.audit.models import AuditEvent
from casework.cases.attachments import operations as attachments
from casework.cases.errors import RecordError
from casework.cases.lifecycle.erasure import due_for_erasure, erase_case
from casework.cases.models import Case, CaseNote, TraffickingEvent
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.encryption.models import DataKey
from casework.policy import Role
from tests import factories
from tests.cases.records.conftest import World, png_bytes, post_form, stored_files

CANARY = "Somsri Canary"


def _full_case(world: World) -> Case:
    """The world's case with everything encrypted under its key, and a file; closed."""
    case = factories.make_case(
        world.home,
        assigned_to=world.caseworker,
        full_name=CANARY,
        phone="+66 81 234 5678",
        documents=(("passport", "AA1234567"),),
    )
    note = CaseNote(author_id=world.caseworker.id)
    case.notes.append(note)
    note.body = "Canary note body"
    event = TraffickingEvent(kind="Recruitment", country="TH")
    case.events.append(event)
    event.description = "Canary event description"
    factories.make_consent(case, "registration")
    factories.make_referral(case, world.other, status="accepted")
    db.session.flush()
    form = attachments.attach_consent_form(
        world.caseworker, case, case.consents[0], filename="f.png", stream=io.BytesIO(png_bytes())
    )
    assert form is not None
    attachments.add_attachment(
        world.caseworker, case, kind="legal", filename="x.png", stream=io.BytesIO(png_bytes())
    )
    case.status = "Closed"
    case.closure_reason = "goals_met"
    case.closed_at = utcnow()
    db.session.commit()
    return case


ENCRYPTED_COLUMNS = {
    "people": ("full_name_ct", "full_name_bidx", "phone_ct", "phone_bidx", "date_of_birth_bidx"),
    "identity_documents": ("number_ct", "number_bidx"),
    "case_notes": ("body_ct",),
    "trafficking_events": ("description_ct",),
    "referrals": ("reason_ct",),
}


def _values(case: Case) -> dict[str, list[tuple[object, ...]]]:
    found = {}
    for table, columns in ENCRYPTED_COLUMNS.items():
        rows = db.session.execute(
            text(f"SELECT {', '.join(columns)} FROM {table} WHERE case_id = :id"),  # noqa: S608 - names from the models
            {"id": case.id.hex if db.engine.dialect.name == "sqlite" else case.id},
        ).all()
        found[table] = [tuple(row) for row in rows]
    return found


def test_erasure_makes_identifying_data_unreadable_and_keeps_coded_fields(world: World) -> None:
    case = _full_case(world)
    before = _values(case)
    assert all(row and all(v is not None for v in row[0]) for row in before.values()), before
    assert len(stored_files(world.app)) == 2
    path = f"/cases/{case.id}/erase"
    supervisor = world.as_supervisor()
    assert world.as_caseworker().get(path).status_code == 404
    page = supervisor.get(path).get_data(as_text=True)
    assert "Type the case reference to confirm" in page

    wrong = post_form(supervisor, path, {"confirmation": "TH-2026-999999"})
    assert wrong.status_code == 422
    assert "Nothing was erased" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).erased_at is None

    typed = " " + case.reference.lower() + " "
    assert post_form(supervisor, path, {"confirmation": typed}).status_code == 302
    db.session.expire_all()
    erased = db.session.get(Case, case.id)
    assert erased.is_erased
    assert erased.is_shredded
    assert erased.person.full_name is None
    assert erased.person.phone is None
    assert erased.identity_documents[0].number is None
    assert erased.notes[0].body is None
    assert erased.events[0].description is None
    for table, rows in _values(case).items():
        assert rows, table
        assert all(value is None for row in rows for value in row), table
    key = db.session.get(DataKey, erased.data_key_id)
    assert key.wrapped is None
    assert key.destroyed_at is not None
    assert erased.attachments == []
    assert stored_files(world.app) == [], "the files are deleted from disk"
    # coded fields stay for statistics
    assert (erased.status, erased.closure_reason, erased.gender, erased.age_band) == (
        "Closed",
        "goals_met",
        "Feminine",
        "24-26",
    )
    assert (erased.codes_of("citizenship"), erased.codes_of("exploitation_type")) == (
        ["KH"],
        ["ForcedLabour"],
    )
    assert [c.purpose for c in erased.consents] == ["registration", "sharing"]
    assert erased.consents[0].attachment_id is None
    assert erased.identity_documents[0].doc_type == "passport"
    [event] = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "case.erased")
    ).scalars()
    assert (event.actor_id, event.target_id, event.detail) == (
        world.supervisor.id,
        str(case.id),
        "supervisor_request",
    )
    # pages say "erased" instead of failing
    again = supervisor.get(path)
    assert again.status_code == 200
    assert "was erased on" in again.get_data(as_text=True)
    assert supervisor.get(f"/cases/{case.id}/reopen").status_code == 200


def test_an_open_case_cannot_be_erased(world: World) -> None:
    with pytest.raises(RecordError, match="closed"):
        erase_case(world.supervisor, world.case, reason="supervisor_request")
    response = post_form(
        world.as_supervisor(),
        f"/cases/{world.case.id}/erase",
        {"confirmation": world.case.reference},
    )
    assert response.status_code == 422
    assert "Only a closed case can be erased." in response.get_data(as_text=True)
    assert world.reload().erased_at is None


def _closed(world: World, years_ago: float) -> Case:
    case = factories.make_case(world.home, full_name=CANARY)
    case.status = "Closed"
    case.closure_reason = "goals_met"
    case.closed_at = utcnow() - timedelta(days=365.25 * years_ago)
    return case


def test_due_for_erasure_follows_the_retention_setting(
    world: World, app: Flask, monkeypatch: pytest.MonkeyPatch, login_as
) -> None:
    monkeypatch.setitem(app.config, "RETENTION_YEARS", 5)
    old = _closed(world, 6)
    _closed(world, 4)  # not yet
    elsewhere = factories.make_case(world.other)
    elsewhere.status, elsewhere.closed_at = "Closed", utcnow() - timedelta(days=3000)
    db.session.commit()
    due = {c.id for c in db.session.execute(due_for_erasure()).scalars()}
    assert due == {old.id, elsewhere.id}
    page = world.as_supervisor().get("/cases/erasure-due").get_data(as_text=True)
    assert old.reference in page
    assert elsewhere.reference not in page
    assert "1 case is due." in page
    other_supervisor, _ = login_as(Role.SUPERVISOR, agency=world.other)
    assert old.reference not in other_supervisor.get("/cases/erasure-due").get_data(as_text=True)
    assert world.as_caseworker().get("/cases/erasure-due").status_code == 404


def test_erase_due_command(world: World, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "RETENTION_YEARS", 5)
    old = _closed(world, 8)
    recent = _closed(world, 1)
    db.session.commit()
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["cases", "erase-due", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 case(s) closed on or before" in dry.output
    declined = runner.invoke(args=["cases", "erase-due"], input="n\n")
    assert declined.exit_code == 1
    db.session.expire_all()
    assert db.session.get(Case, old.id).erased_at is None

    done = runner.invoke(args=["cases", "erase-due", "--yes"])
    assert done.exit_code == 0, done.output
    assert "Erased 1 case(s)." in done.output
    assert CANARY not in done.output
    db.session.expire_all()
    assert db.session.get(Case, old.id).is_erased
    assert db.session.get(Case, old.id).person.full_name is None
    assert not db.session.get(Case, recent.id).is_erased
    again = runner.invoke(args=["cases", "erase-due", "--yes"])
    assert "0 case(s)" in again.output


def test_due_for_erasure_is_in_the_supervisors_navigation(world: World) -> None:
    assert 'href="/cases/erasure-due"' in world.as_supervisor().get("/").get_data(as_text=True)
    assert "/cases/erasure-due" not in world.as_caseworker().get("/").get_data(as_text=True)
