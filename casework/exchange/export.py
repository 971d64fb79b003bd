"""Export of an agency's own cases in the HTCDS layout, as an AES-encrypted zip archive.

The cases come from a scoped query (the supervisor's visible cases, of their own agency; from
the command line, the agency's), leaving out erased cases and cases whose registration consent
was withdrawn (decision 0063: processed by no one but to erase them). The sheet is the layout
`mapping.case_row` fills, every cell written as text and escaped so that no spreadsheet
program takes it for a formula (`reading.escape`). The archive is a zip with WinZip AES-256
encryption (pyzipper, decision 0101): 7-Zip, WinZip, macOS and most file managers open it with
the passphrase; the passphrase is checked for strength as a password is, and is never stored,
logged or audited.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pyzipper
import xlsxwriter
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, not_, select

from casework import audit
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.auth.passwords import password_problems
from casework.cases.models import Case
from casework.cases.scopes import processing_restricted, visible_cases
from casework.core.errors import OperationError
from casework.core.extensions import db
from casework.exchange.mapping import COLUMNS, case_row
from casework.exchange.reading import escape
from casework.policy import Action, PermissionDenied, require

SHEET = "Case Sheet"  # the toolkit's own sheet name


class ExportError(OperationError):
    """The export cannot be made so (a weak passphrase)."""


def _cases(actor: User | None, agency: Agency) -> Select[Any]:
    if actor is None:
        query = select(Case).where(Case.agency_id == agency.id)
    else:
        require(actor, Action.EXPORT_CASES)
        if actor.agency_id != agency.id:  # never another agency's
            raise PermissionDenied(Action.EXPORT_CASES, agency)
        query = visible_cases(actor).where(Case.agency_id == actor.agency_id)
    return query.where(Case.erased_at.is_(None), not_(processing_restricted())).order_by(
        Case.reference
    )


def check_passphrase(passphrase: str) -> None:
    problems = password_problems(passphrase)
    if problems:
        raise ExportError(
            _l("Choose a stronger passphrase: %(why)s", why=" ".join(problems)), "passphrase"
        )


def sheet_bytes(rows: list[dict[str, str]]) -> bytes:
    """The toolkit's layout: column A numbers the rows, row 1 field names, row 2 labels."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(SHEET)
    for index, (name, label) in enumerate(COLUMNS, start=1):
        sheet.write_string(0, index, name)
        sheet.write_string(1, index, label)
    for number, row in enumerate(rows, start=1):
        sheet.write_number(number + 1, 0, number)
        for index, (name, _label) in enumerate(COLUMNS, start=1):
            if row.get(name):
                sheet.write_string(number + 1, index, escape(row[name]))
    book.close()
    return out.getvalue()


def archive_name(agency: Agency, day: date) -> str:
    return f"htcds-cases-{day.isoformat()}.xlsx"


def export_cases(
    actor: User | None, agency: Agency, passphrase: str, day: date
) -> tuple[bytes, int]:
    """The encrypted archive of the agency's cases, and how many it holds. Audited (the
    agency and the count); the caller commits."""
    check_passphrase(passphrase)
    cases = list(db.session.scalars(_cases(actor, agency)).unique())
    content = sheet_bytes([case_row(case) for case in cases])
    out = io.BytesIO()
    with pyzipper.AESZipFile(
        out, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(passphrase.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        archive.writestr(archive_name(agency, day), content)
    audit.record("cases.exported", actor=actor, target=agency, detail=f"cases={len(cases)}")
    db.session.flush()
    return out.getvalue(), len(cases)
