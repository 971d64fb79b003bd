"""Import an agency's cases from a file in the HTCDS layout: a dry run, then all or nothing.

`check_file` is the dry run: it reads and checks every row and writes nothing but its audit
event. `import_cases` checks again (the agency's cases may have changed since) and, only when
no row has a problem, registers every row through the registration code path
(`cases.operations.register_imported_case`: encryption, blind indexes, timeline, audit,
duplicate tasks for other agencies) in the caller's one transaction; it never commits, so a
failure anywhere leaves nothing behind. Audit events name ids and counts only.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l

from casework import audit
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.cases.models import Case
from casework.cases.operations import register_imported_case
from casework.core.errors import OperationError
from casework.core.extensions import db
from casework.domain import CaseStatus
from casework.exchange.checking import Checked, check_table
from casework.exchange.reading import read_table
from casework.policy import Action, PermissionDenied, require

Progress = Callable[[int, int], None]  # (rows done, rows in all)


class ImportRefused(OperationError):
    """The file has problems: nothing was imported."""

    def __init__(self, checked: Checked) -> None:
        super().__init__(
            _l(
                "The file has %(count)d problem(s): nothing was imported.",
                count=len(checked.problems),
            )
        )
        self.checked = checked


def _allowed(actor: User | None, agency: Agency) -> None:
    """A supervisor, for their own agency; None is an operator at the command line."""
    if actor is None:
        return
    require(actor, Action.IMPORT_CASES)
    if actor.agency_id != agency.id:  # never another agency's
        raise PermissionDenied(Action.IMPORT_CASES, agency)


def check_file(actor: User | None, agency: Agency, content: bytes, filename: str) -> Checked:
    """The dry run: every row's problems; nothing written but the audit event."""
    _allowed(actor, agency)
    checked = check_table(read_table(content, filename), agency.id)
    audit.record(
        "cases.import_checked",
        actor=actor,
        target=agency,
        outcome="success" if checked.ok else "refused",
        detail=f"rows={len(checked.rows)};problems={len(checked.problems)}",
    )
    return checked


def import_cases(
    actor: User | None,
    agency: Agency,
    content: bytes,
    filename: str,
    progress: Progress | None = None,
) -> list[Case]:
    """Register every row as a case of `agency`, or none (ImportRefused, with the problems).
    The caller commits once at the end, or rolls back."""
    checked = check_file(actor, agency, content, filename)
    if not checked.ok:
        raise ImportRefused(checked)
    cases = []
    total = len(checked.rows)
    for done, (_number, reading) in enumerate(checked.rows, start=1):
        case = register_imported_case(actor, agency, reading.data)
        if reading.status != CaseStatus.ACTIVE:
            case.status = CaseStatus(reading.status)  # FollowUp: open, as the file says
        cases.append(case)
        if progress is not None:
            progress(done, total)
    audit.record("cases.imported", actor=actor, target=agency, detail=f"cases={len(cases)}")
    db.session.flush()
    return cases
