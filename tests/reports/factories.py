"""Cases the reports count: the default counting rule counts only people with a current
consent to anonymised statistics, so report tests make cases that have one."""

from __future__ import annotations

from typing import Any

from casework.cases.models import Case
from tests.factories import make_case, make_consent


def counted_case(*args: Any, **kwargs: Any) -> Case:
    """`make_case` plus a current consent to statistics (given on the day of identification)."""
    case = make_case(*args, **kwargs)
    make_consent(case, "statistics", given_on=case.identified_on)
    return case
