"""What referrals and notifications do when a case's life changes (casework.cases.signals).

Connected once at start-up; receivers run inside the request's transaction and never commit.
"""

from __future__ import annotations

from typing import Any

from casework.cases import signals
from casework.domain import PROCESSING_CONSENT_PURPOSE
from casework.notifications.operations import agency_users, link_to, notify
from casework.policy import Role
from casework.referrals.operations import (
    end_referrals_of_closed_case,
    revoke_pending_referrals_of_restricted_case,
)


def _case_link(case: Any) -> str:
    return link_to("cases.view_case", case_id=case.id)


def on_case_closed(case: Any, *, actor: Any, **_: Any) -> None:
    """ "Closed" ends the case's referrals; "Closed (referred)" lets them go on (the rule is
    the domain's CONTINUING_CASE_STATUSES, applied by the operation)."""
    end_referrals_of_closed_case(actor, case)


def on_consent_withdrawn(case: Any, *, actor: Any, consent: Any, **_: Any) -> None:
    if consent.purpose == PROCESSING_CONSENT_PURPOSE and case.processing_restricted:
        revoke_pending_referrals_of_restricted_case(actor, case)


def on_case_assigned(case: Any, *, actor: Any, assignee: Any, **_: Any) -> None:
    if assignee is not None and assignee.id != getattr(actor, "id", None):
        notify([assignee], "case_assigned", case=case, link=_case_link(case))


def on_closure_requested(case: Any, *, actor: Any, **_: Any) -> None:
    supervisors = [
        user
        for user in agency_users(case.agency_id, [Role.SUPERVISOR])
        if user.id != getattr(actor, "id", None)
    ]
    notify(supervisors, "closure_requested", case=case, link=_case_link(case))


def connect() -> None:
    """Connect the receivers (weak=False: they are module functions, kept for the process)."""
    signals.case_closed.connect(on_case_closed, weak=False)
    signals.consent_withdrawn.connect(on_consent_withdrawn, weak=False)
    signals.case_assigned.connect(on_case_assigned, weak=False)
    signals.closure_requested.connect(on_closure_requested, weak=False)
