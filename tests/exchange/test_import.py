"""Import of an agency's cases in the HTCDS toolkit's layout: the dry run, all or nothing,
encrypted as any case, audited; hostile files refused."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from casework.agencies.models import Agency
from casework.audit.models import AuditEvent
from casework.cases.models import Case, Person, PossibleDuplicate, TimelineEntry
from casework.cases.queries import _indexed
from casework.core.extensions import db
from casework.exchange import reading
from casework.exchange.operations import ImportRefused, check_file, import_cases
from casework.exchange.reading import ExchangeFileError
from casework.policy import PermissionDenied, Role
from tests import factories
from tests.exchange.sheets import csv_bytes, person, xlsx


def _agency(name: str = "Hope Shelter", country: str = "KH") -> Agency:
    agency = factories.make_agency(name, country=country)
    db.session.commit()
    return agency


def _case_count(agency: Agency) -> int:
    return db.session.scalar(select(func.count()).where(Case.agency_id == agency.id)) or 0


def _problems(checked: Any) -> set[tuple[int, str, str]]:
    return {(p.row, p.column, p.field) for p in checked.problems}


def test_toolkit_rows_become_encrypted_cases_with_timeline_and_audit() -> None:
    agency = _agency()
    content = xlsx([person(1), person(2, cas_Status="Active", prs_HomePhone="+855 12 345 602")])
    checked = check_file(None, agency, content, "cases.xlsx")
    assert checked.ok, [p.describe() for p in checked.problems]
    assert [number for number, _reading in checked.rows] == [3, 4]
    assert checked.not_kept == ["cas_CaseOwner"]
    assert _case_count(agency) == 0, "the dry run writes no case"

    cases = import_cases(None, agency, content, "cases.xlsx")
    db.session.commit()
    assert _case_count(agency) == 2
    first = cases[0]
    assert first.person is not None
    assert first.person.full_name == "Sokha1 Chan"
    assert first.person.date_of_birth == "1991-02-11"
    assert first.person.phone == "+855 12 345 601"
    assert first.person.address == "1 Street 271, Phnom Penh, KH"
    assert (first.gender, first.risk_level) == ("Feminine", "high")
    assert first.codes_of("citizenship") == ["KH"]
    assert first.trafficking_status == "PossibleVictimOfTrafficking"
    assert first.forced_labour_industry == "A_AgricultureForestryAndFishing"
    assert first.codes_of("control_method") == ["DebtBondage", "ThreatensChildrenFamily"]
    assert first.codes_of("recruitment_method") == ["ThroughOnlineSocialNetworks"]
    assert [(e.kind, e.country) for e in first.events] == [("Exploitation", "TH")]
    assert first.status == "FollowUp"
    assert cases[1].status == "Active"
    assert first.identified_on == date(2026, 3, 14)
    assert first.assigned_to_id is None
    assert first.age_at_identification == 35
    # Stored encrypted, found by its blind index like any registered case.
    stored = db.session.execute(select(Person.full_name_ct).where(Person.case_id == first.id))
    assert b"Sokha1" not in stored.scalar_one()
    assert _indexed(Person, "full_name", "sokha1 chan") == {first.id}
    kinds = set(
        db.session.scalars(select(TimelineEntry.kind).where(TimelineEntry.case_id == first.id))
    )
    assert kinds == {"case.registered", "consent.recorded"}
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert actions.count("case.registered") == 2
    imported = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "cases.imported"))
    event = imported.one()
    assert (event.target_id, event.detail) == (str(agency.id), "cases=2")


def test_the_dry_run_lists_every_problem_with_its_row_and_column() -> None:
    agency = _agency()
    rows = [
        person(1, prs_Gender="Unicorn"),  # unknown code: H
        person(2, prs_Birthdate="31/12/1990"),  # bad date: G
        person(3, prs_FirstName=None, prs_SecondName=None),  # missing name: D
        person(4, con_Consent="No", vic_MethodsOfControl="Debt bondage; Mind control"),
        person(5, cw_IdentifiedOn="2999-01-01"),  # registration's own rule: in the future
    ]
    checked = check_file(None, agency, xlsx(rows), "cases.xlsx")
    assert _problems(checked) == {
        (3, "H", "prs_Gender"),
        (4, "G", "prs_Birthdate"),
        (5, "D", "prs_FirstName"),
        (6, "F", "con_Consent"),
        (6, "W", "vic_MethodsOfControl"),
        (7, "AN", "cw_IdentifiedOn"),
    }
    # Messages never quote a cell's value (personal data).
    assert all("Unicorn" not in p.describe() for p in checked.problems)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "cases.import_checked")
    ).one()
    assert (event.outcome, event.detail) == ("refused", "rows=5;problems=6")


def test_one_bad_row_imports_nothing() -> None:
    agency = _agency()
    content = xlsx([person(1), person(2), person(3, prs_Citizenship="Atlantis")])
    with pytest.raises(ImportRefused) as refused:
        import_cases(None, agency, content, "cases.xlsx")
    assert _problems(refused.value.checked) == {(5, "I", "prs_Citizenship")}
    assert _case_count(agency) == 0


def test_a_toolkit_file_without_casework_columns_is_told_what_to_add() -> None:
    agency = _agency()
    checked = check_file(None, agency, xlsx([person(1)], casework=False), "cases.xlsx")
    missing = {p.field for p in checked.problems if p.row == 1}
    assert missing == {
        "cw_IdentifiedOn",
        "cw_IdentificationChannel",
        "cw_ConsentMethod",
        "cw_ConsentGivenOn",
    }


def test_probable_duplicates_in_the_file_and_the_agency_but_not_elsewhere() -> None:
    agency, other = _agency(), _agency("Elsewhere", "TH")
    factories.make_case(agency, full_name="Sokha1 Chan", date_of_birth="1991-02-11")
    factories.make_case(other, full_name="Sokha2 Chan", date_of_birth="1992-02-12")
    db.session.commit()
    rows = [
        person(1),
        person(2),
        person(3),
        person(4, prs_FirstName="Sokha3", prs_Birthdate="1993-02-13"),
    ]
    checked = check_file(None, agency, xlsx(rows), "cases.xlsx")
    messages = {(p.row, str(p.message)) for p in checked.problems}
    own = db.session.scalar(select(Case.reference).where(Case.agency_id == agency.id))
    assert messages == {
        (3, f"Probably the same person as case {own}."),
        (6, "Probably the same person as row 5."),
    }, "row 4 matches only another agency's case: nothing said (decision 0055)"


def test_importing_tells_the_other_agency_through_the_registration_path() -> None:
    agency, other = _agency(), _agency("Elsewhere", "TH")
    factories.make_user(Role.SUPERVISOR, other)
    theirs = factories.make_case(other, full_name="Sokha1 Chan", date_of_birth="1991-02-11")
    db.session.commit()
    import_cases(None, agency, xlsx([person(1)]), "cases.xlsx")
    found = db.session.scalars(select(PossibleDuplicate)).one()
    assert found.case_id == theirs.id
    assert found.registering_agency_id == agency.id


def test_only_a_supervisor_imports_and_only_into_their_agency() -> None:
    agency, other = _agency(), _agency("Elsewhere", "TH")
    caseworker = factories.make_user(Role.CASEWORKER, agency).user
    supervisor = factories.make_user(Role.SUPERVISOR, other).user
    content = xlsx([person(1)])
    with pytest.raises(PermissionDenied):
        check_file(caseworker, agency, content, "cases.xlsx")
    with pytest.raises(PermissionDenied):
        import_cases(supervisor, agency, content, "cases.xlsx")
    own = factories.make_user(Role.SUPERVISOR, agency).user
    cases = import_cases(own, agency, content, "cases.xlsx")
    assert cases[0].created_by_id == own.id
    assert _case_count(agency) == 1


# ---- hostile files ---------------------------------------------------------------------------


def test_formula_cells_are_refused_never_evaluated() -> None:
    agency = _agency()
    content = xlsx([person(1, prs_FirstName='=HYPERLINK("http://x","a")'), person(2)])
    book = load_workbook(io.BytesIO(content))
    book.active["H4"] = '=CONCAT("Femi","nine")'
    out = io.BytesIO()
    book.save(out)
    checked = check_file(None, agency, out.getvalue(), "cases.xlsx")
    formulas = {(p.row, p.column) for p in checked.problems if "Formula" in str(p.message)}
    assert formulas == {(3, "D"), (4, "H")}
    with pytest.raises(ImportRefused):
        import_cases(None, agency, out.getvalue(), "cases.xlsx")
    assert _case_count(agency) == 0


def test_csv_formulas_are_refused_and_escaped_values_read_back() -> None:
    agency = _agency()
    escaped = person(1, prs_MobilePhone="'+855 12 345 601")
    checked = check_file(
        None, agency, csv_bytes([escaped, person(2, prs_FirstName="=1+1")]), "c.csv"
    )
    assert _problems(checked) == {(4, "D", "prs_FirstName")}
    assert checked.rows[0][1].data["phone"] == "+855 12 345 601"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("latin-1", "not UTF-8"), ("utf-16", "UTF-16")],
)
def test_csv_in_another_encoding_is_refused_clearly(encoding: str, expected: str) -> None:
    agency = _agency()
    content = csv_bytes([person(1, prs_FirstName="Sô Phát")], encoding=encoding)
    with pytest.raises(ExchangeFileError, match=expected):
        check_file(None, agency, content, "cases.csv")


def test_csv_with_or_without_a_byte_order_mark() -> None:
    agency = _agency()
    for encoding in ("utf-8", "utf-8-sig"):
        content = csv_bytes([person(1, prs_FirstName="Sô Phát")], encoding=encoding)
        checked = check_file(None, agency, content, "cases.csv")
        assert checked.ok
        assert checked.rows[0][1].data["full_name"] == "Sô Phát Chan"


def test_limits_refuse_the_whole_file_naming_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    agency = _agency()
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    with pytest.raises(ExchangeFileError, match="more than 3 rows"):
        check_file(None, agency, xlsx([person(n) for n in range(1, 5)]), "cases.xlsx")
    with pytest.raises(ExchangeFileError, match="more than 3 rows"):
        check_file(None, agency, csv_bytes([person(n) for n in range(1, 5)]), "cases.csv")
    long_name = person(1, prs_FirstName="x" * (reading.MAX_CELL_CHARS + 1))
    with pytest.raises(ExchangeFileError, match="Cell D3 holds more than 2000 characters"):
        check_file(None, agency, xlsx([long_name]), "cases.xlsx")
    wide = Workbook()
    wide.active.append([f"c{i}" for i in range(reading.MAX_COLUMNS + 5)])
    out = io.BytesIO()
    wide.save(out)
    with pytest.raises(ExchangeFileError, match="more than 100 columns"):
        check_file(None, agency, out.getvalue(), "cases.xlsx")
    monkeypatch.setattr(reading, "MAX_BYTES", 1000)
    with pytest.raises(ExchangeFileError, match="larger than"):
        check_file(None, agency, b"x" * 1001, "cases.csv")


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    agency = _agency()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * 50_000_000 + b">")
    with pytest.raises(ExchangeFileError, match="unpacks"):
        check_file(None, agency, out.getvalue(), "cases.xlsx")


def test_huge_sheets_by_their_dimension_are_refused_before_reading() -> None:
    agency = _agency()
    book = Workbook()
    book.active.append(["prs_FirstName"])
    book.active.cell(row=reading.MAX_SCANNED_ROWS + 1, column=1, value="x")
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ExchangeFileError, match="rows"):
        check_file(None, agency, out.getvalue(), "cases.xlsx")


def test_macros_and_external_links_are_not_read() -> None:
    agency = _agency()
    source = zipfile.ZipFile(io.BytesIO(xlsx([person(1)])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
        archive.writestr("xl/externalLinks/externalLink1.xml", b"<externalLink/>")
    checked = check_file(None, agency, out.getvalue(), "cases.xlsx")
    assert checked.ok
    import_cases(None, agency, out.getvalue(), "cases.xlsx")
    assert _case_count(agency) == 1


@pytest.mark.parametrize(
    ("content", "name"), [(b"PK\x03\x04broken", "cases.xlsx"), (b"a,b", "cases.ods")]
)
def test_not_a_spreadsheet(content: bytes, name: str) -> None:
    with pytest.raises(ExchangeFileError):
        check_file(None, _agency(), content, name)
