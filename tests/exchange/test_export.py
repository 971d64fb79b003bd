"""Export of an agency's own cases: supervisors only, audited, an AES zip with a passphrase
the supervisor sets; export then import into an empty agency gives the same cases."""

from __future__ import annotations

import io
import logging
import os
import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import pyzipper
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from casework.agencies.models import Agency
from casework.audit.models import AuditEvent
from casework.cases.models import Case
from casework.cases.operations import register_case
from casework.cases.record import CaseInput
from casework.core.extensions import db
from casework.exchange.export import ExportError, export_cases
from casework.exchange.operations import import_cases
from casework.policy import PermissionDenied, Role
from tests import factories
from tests.exchange.sheets import person, xlsx

PASSPHRASE = "larch umbrella quietly seventeen harbour"
DAY = date(2026, 12, 8)


def _agency(name: str, country: str = "KH") -> Agency:
    agency = factories.make_agency(name, country=country)
    db.session.commit()
    return agency


def _unpack(archive: bytes, passphrase: str = PASSPHRASE) -> tuple[str, bytes]:
    with pyzipper.AESZipFile(io.BytesIO(archive)) as opened:
        opened.setpassword(passphrase.encode())
        (name,) = opened.namelist()
        return name, opened.read(name)


def _registered(supervisor: Any) -> Case:
    """A case with what the toolkit's sheet has no column for (Casework's and the standard's
    further fields), registered through the form's operation."""
    return register_case(
        supervisor,
        {
            "consent_confirmed": True,
            "consent_method": "verbal_witnessed",
            "consent_given_on": date(2026, 1, 5),
            "full_name": "-Dara Sok",  # starts like a formula: escaped on the way out
            "other_names": "Mealea",
            "date_of_birth": date(2001, 7, 9),
            "phone": "+855 97 000 1111",
            "email": "dara@example.org",
            "address": "Village 3, Kampot",
            "languages": "Khmer, Thai",
            "family_contacts": "Aunt in Kampot",
            "gender": "Masculine",
            "citizenship": ["KH", "TH"],
            "education": "PrimaryEducation",
            "trafficking_status": "ActualVictimOfTrafficking",
            "status_decided_by": "Police",
            "forced_labour_industry": "A_AgricultureForestryAndFishing",
            "trafficker_relationship": "Acquainted",
            "age_when_trafficked": 19,
            "identified_on": date(2026, 1, 5),
            "identification_channel": "police",
            "risk_level": "critical",
            "recruitment_method": ["AtWork", "ThroughFriendsOrSocialEvents"],
            "control_method": ["WithholdsDocuments"],
            "exploitation_type": ["ForcedLabour"],
            "documents": [{"doc_type": "passport", "issuing_country": "KH", "number": "N0123456"}],
            "events": [
                {"kind": "Recruitment", "country": "KH"},
                {"kind": "Exploitation", "description": "A fishing boat off Songkhla"},
            ],
        },
    )


def _facts(case: Case) -> dict[str, Any]:
    registration = next(c for c in case.consents if c.purpose == "registration")
    return {
        **CaseInput.from_case(case).snapshot(),
        "status": case.status,
        "consent": (registration.method, registration.given_on),
    }


def test_export_then_import_into_an_empty_agency_gives_the_same_cases() -> None:
    source, empty = _agency("Hope Shelter"), _agency("New Start", "TH")
    supervisor = factories.make_user(Role.SUPERVISOR, source).user
    import_cases(None, source, xlsx([person(1), person(2, cas_Status="Active")]), "in.xlsx")
    _registered(supervisor)
    db.session.commit()

    archive, count = export_cases(supervisor, source, PASSPHRASE, DAY)
    assert count == 3
    name, content = _unpack(archive)
    assert name == "htcds-cases-2026-12-08.xlsx"
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Case Sheet"
    assert [sheet.cell(1, c).value for c in (2, 4, 6)] == [
        "cas_CaseOwner",
        "prs_FirstName",
        "con_Consent",
    ]
    cells = [cell.value for row in sheet.iter_rows(min_row=3) for cell in row]
    assert "'-Dara Sok" in cells, "escaped, never a formula"
    assert "-Dara Sok" not in cells
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "@")) for v in cells)

    imported = import_cases(None, empty, content, name)
    db.session.commit()
    assert len(imported) == 3
    before = [
        _facts(c)
        for c in db.session.scalars(
            select(Case).where(Case.agency_id == source.id).order_by(Case.reference)
        )
    ]
    after = [
        _facts(c)
        for c in db.session.scalars(
            select(Case).where(Case.agency_id == empty.id).order_by(Case.reference)
        )
    ]
    key = lambda facts: facts["full_name"]  # noqa: E731
    assert sorted(after, key=key) == sorted(before, key=key)


def test_a_wrong_passphrase_opens_nothing() -> None:
    source = _agency("Hope Shelter")
    supervisor = factories.make_user(Role.SUPERVISOR, source).user
    archive, _count = export_cases(supervisor, source, PASSPHRASE, DAY)
    assert b"prs_FirstName" not in archive
    with pytest.raises(RuntimeError):
        _unpack(archive, "larch umbrella quietly seventeen harbours")


def test_only_a_supervisor_exports_and_only_their_agencys_open_cases() -> None:
    source, other = _agency("Hope Shelter"), _agency("Elsewhere", "TH")
    caseworker = factories.make_user(Role.CASEWORKER, source).user
    theirs = factories.make_user(Role.SUPERVISOR, other).user
    supervisor = factories.make_user(Role.SUPERVISOR, source).user
    with pytest.raises(PermissionDenied):
        export_cases(caseworker, source, PASSPHRASE, DAY)
    with pytest.raises(PermissionDenied):
        export_cases(theirs, source, PASSPHRASE, DAY)
    kept = factories.make_case(source, full_name="Kept Person")
    erased = factories.make_case(source, full_name="Erased Person", status="Closed")
    erased.erased_at = erased.created_at
    restricted = factories.make_case(source, full_name="Withdrawn Person")
    consent = factories.make_consent(restricted)
    consent.withdrawn_at = consent.created_at
    factories.make_consent(kept)
    factories.make_case(other, full_name="Elsewhere Person")
    db.session.commit()
    archive, count = export_cases(supervisor, source, PASSPHRASE, DAY)
    _name, content = _unpack(archive)
    names = {c.value for c in load_workbook(io.BytesIO(content)).active["D"][2:]}
    assert count == 1
    assert names == {"Kept Person"}


def test_a_weak_passphrase_is_refused_and_no_passphrase_is_kept(
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = _agency("Hope Shelter")
    supervisor = factories.make_user(Role.SUPERVISOR, source).user
    with pytest.raises(ExportError):
        export_cases(supervisor, source, "password123", DAY)
    caplog.set_level(logging.DEBUG)
    export_cases(supervisor, source, PASSPHRASE, DAY)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "cases.exported")
    ).one()
    assert (event.actor_id, event.target_id, event.detail) == (
        supervisor.id,
        str(source.id),
        "cases=0",
    )
    details = " ".join(str(e.detail) for e in db.session.scalars(select(AuditEvent)))
    assert "larch" not in details
    assert "larch" not in caplog.text


def test_the_command_line_reads_the_passphrase_from_the_environment_or_a_prompt(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _agency("Hope Shelter")
    factories.make_case(source)
    db.session.commit()
    runner = app.test_cli_runner()
    output = tmp_path / "cases.zip"
    monkeypatch.setenv("HTCDS_EXPORT_PASSPHRASE", PASSPHRASE)
    result = runner.invoke(
        args=["htcds", "export", "--agency", "Hope Shelter", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert "Exported 1 case(s)" in result.output
    assert stat.S_IMODE(os.stat(output).st_mode) == 0o600
    assert _unpack(output.read_bytes())[0].endswith(".xlsx")
    again = runner.invoke(
        args=["htcds", "export", "--agency", "Hope Shelter", "--output", str(output)]
    )
    assert again.exit_code == 1, "never overwrites a file"
    monkeypatch.delenv("HTCDS_EXPORT_PASSPHRASE")
    prompted = tmp_path / "prompted.zip"
    result = runner.invoke(
        args=["htcds", "export", "--agency", "Hope Shelter", "--output", str(prompted)],
        input=f"{PASSPHRASE}\n{PASSPHRASE}\n",
    )
    assert result.exit_code == 0, result.output
    assert _unpack(prompted.read_bytes())[0].endswith(".xlsx")
    weak = runner.invoke(
        args=["htcds", "export", "--agency", "Hope Shelter", "--output", str(tmp_path / "w.zip")],
        input="short\nshort\n",
    )
    assert weak.exit_code == 1
    assert not (tmp_path / "w.zip").exists()
    argument = runner.invoke(
        args=[
            "htcds",
            "export",
            "--agency",
            "Hope Shelter",
            "--output",
            "x.zip",
            "--passphrase",
            "x",
        ]
    )
    assert argument.exit_code == 2, "no option takes a passphrase"
