"""`flask htcds import`: the problems listed, the exit status non-zero on any problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from casework.cases.models import Case
from casework.core.extensions import db
from tests import factories
from tests.exchange.sheets import csv_bytes, person, xlsx


def _run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["htcds", *args])


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Case)) or 0


def test_dry_run_then_import(app: Flask, tmp_path: Path) -> None:
    factories.make_agency("Hope Shelter", country="KH")
    db.session.commit()
    path = tmp_path / "cases.xlsx"
    path.write_bytes(xlsx([person(1), person(2)]))
    checked = _run(app, "import", str(path), "--agency", "Hope Shelter", "--dry-run")
    assert checked.exit_code == 0, checked.output
    assert "2 row(s) can be imported" in checked.output
    assert "cas_CaseOwner is not kept" in checked.output
    assert _count() == 0
    done = _run(app, "import", str(path), "--agency", "Hope Shelter")
    assert done.exit_code == 0, done.output
    assert "Imported 2 case(s)." in done.output
    assert _count() == 2


def test_problems_are_listed_and_the_exit_status_is_not_zero(app: Flask, tmp_path: Path) -> None:
    factories.make_agency("Hope Shelter", country="KH")
    db.session.commit()
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_bytes([person(1), person(2, prs_Gender="Unicorn", con_Consent="No")]))
    for extra in (["--dry-run"], []):
        result = _run(app, "import", str(path), "--agency", "Hope Shelter", *extra)
        assert result.exit_code == 1
        assert "row 4, column H (prs_Gender): This is not a value" in result.stderr
        assert "row 4, column F (con_Consent)" in result.stderr
        assert "2 problem(s) found" in result.stderr
        assert "Unicorn" not in result.stderr + result.stdout
    assert _count() == 0


def test_unknown_agency_and_unreadable_file(app: Flask, tmp_path: Path) -> None:
    factories.make_agency("Hope Shelter", country="KH")
    db.session.commit()
    path = tmp_path / "cases.csv"
    path.write_bytes("prs_FirstName\nSô\n".encode("latin-1"))
    result = _run(app, "import", str(path), "--agency", "Nobody")
    assert result.exit_code == 1
    assert "No agency is named" in result.stderr
    result = _run(app, "import", str(path), "--agency", "Hope Shelter", "--dry-run")
    assert result.exit_code == 1
    assert "not UTF-8" in result.stderr
    assert "Traceback" not in result.stderr
