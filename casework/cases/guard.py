"""May this case change? (Being replaced by one table: see the next commit.)"""

from __future__ import annotations

from flask_babel import gettext as _

from casework.cases.errors import RecordError
from casework.cases.models import Case


def ensure_changeable(case: Case) -> None:
    if case.is_erased:
        raise RecordError(_("This case's identifying data was erased: it can no longer change."))


def ensure_open(case: Case) -> None:
    ensure_changeable(case)
    if case.is_closed:
        raise RecordError(_("This case is closed. A supervisor can re-open it first."))
