"""Spreadsheets in the HTCDS 2.0 toolkit's layout, with invented people, for the tests.

The header is the toolkit's own (tests/fixtures/htcds_toolkit_header.csv: rows 1 and 2 of
"HTCDS Excel Spreadsheet v2.0.xlsx", Toolkit/Excel of the Human Trafficking Case Data
Standard (HTCDS) 2.0 by IOM, CC BY 4.0; no endorsement by IOM), column A unnamed, column AJ
with no field name, as the toolkit has them: never our own export's header.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

HEADER_FILE = Path(__file__).parent.parent / "fixtures" / "htcds_toolkit_header.csv"
# What registration needs that HTCDS has no field for (decision 0100): Casework's columns.
CASEWORK = {
    "cw_IdentifiedOn": "Identified on (Casework)",
    "cw_IdentificationChannel": "Identification channel (Casework)",
    "cw_RiskLevel": "Risk level (Casework)",
    "cw_ConsentMethod": "Consent method (Casework)",
    "cw_ConsentGivenOn": "Consent given on (Casework)",
}


def toolkit_header() -> tuple[list[str], list[str]]:
    with HEADER_FILE.open(newline="", encoding="utf-8") as source:
        names, labels = list(csv.reader(source))
    return names, labels


def person(n: int = 1, **changes: Any) -> dict[str, Any]:
    """An invented person, as an agency using the toolkit's drop-downs would enter them."""
    row: dict[str, Any] = {
        "cas_CaseOwner": "Outreach team",
        "prs_FirstName": f"Sokha{n}",
        "prs_SecondName": "Chan",
        "con_Consent": "Yes",
        "prs_Birthdate": f"199{n % 10}-02-1{n % 10}",
        "prs_Gender": "Feminine",
        "prs_Citizenship": "Cambodia",
        "prs_MobilePhone": f"+855 12 345 6{n:02d}",
        "prs_MailingStreet": f"{n} Street 271",
        "prs_MailingCity": "Phnom Penh",
        "prs_MailingCountry": "KH",
        "vic_TraffickingStatus": "Possible victim of trafficking",
        "vic_MethodOfRecruitment": "Through online social networks",
        "vic_MethodsOfControl": "Threatens children/family; Debt bondage ",
        "vic_TypeOfExploitation": "Forced labour",
        "vic_ForcedLabourIndustry": "Agriculture, forestry and fishing",
        "vic_LocationOfExploitation": "Thailand",
        "cas_Status": "Follow up",
        "cw_IdentifiedOn": "2026-03-14",
        "cw_IdentificationChannel": "outreach",
        "cw_RiskLevel": "high",
        "cw_ConsentMethod": "signed_form",
        "cw_ConsentGivenOn": "2026-03-14",
    }
    row.update(changes)
    return {k: v for k, v in row.items() if v is not None}


def _grid(rows: Sequence[Mapping[str, Any]], casework: bool) -> list[list[Any]]:
    names, labels = toolkit_header()
    if casework:
        names, labels = names + list(CASEWORK), labels + list(CASEWORK.values())
    grid: list[list[Any]] = [names, labels]
    for number, row in enumerate(rows, start=1):
        line: list[Any] = [number] + [None] * (len(names) - 1)
        for key, value in row.items():
            if key == "cas_ReasonForOutgoingReferral":
                line[labels.index("Reason for Outgoing Referral")] = value
            elif key in names:
                line[names.index(key)] = value
        grid.append(line)
    return grid


def xlsx(rows: Sequence[Mapping[str, Any]], *, casework: bool = True) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Case Sheet"
    for line in _grid(rows, casework):
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(
    rows: Sequence[Mapping[str, Any]], *, casework: bool = True, encoding: str = "utf-8-sig"
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    for line in _grid(rows, casework):
        writer.writerow(["" if v is None else v for v in line])
    return out.getvalue().encode(encoding)
