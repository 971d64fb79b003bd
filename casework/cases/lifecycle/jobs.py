"""Erasure of the cases past retention as a job: every day for the whole installation, or
started by a supervisor from the list of their agency's due cases (progress on the jobs page).

Each case is erased and committed on its own (a checkpoint), so a stopped run keeps what it
did and the next attempt carries on with the cases still due.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from casework.auth.models import User
from casework.cases.lifecycle.erasure import due_for_erasure, erase_case, visible_due_for_erasure
from casework.cases.models import Case
from casework.core.extensions import db
from casework.jobs import registry
from casework.jobs.api import daily
from casework.jobs.context import JobContext
from casework.policy import Action, can

ERASE_DUE = "cases.erase_due"
ERASE_DUE_OF_AGENCY = "cases.erase_due_of_agency"
RESULTS = {"erased": _l("Cases erased")}


def _erase_all(ctx: JobContext, actor: User | None, query: object) -> dict[str, int]:
    ids = list(db.session.execute(query.with_only_columns(Case.id)).scalars())  # type: ignore[attr-defined]
    ctx.set_remaining(len(ids))
    ctx.checkpoint()
    erased = int((ctx.job.result or {}).get("erased", 0))
    for case_id in ids:
        case = db.session.get(Case, case_id)
        allowed = case is not None and (actor is None or can(actor, Action.ERASE_CASE, case))
        if case is not None and allowed and erase_case(actor, case, reason="retention"):
            erased += 1
        ctx.advance()
        ctx.job.result = {"erased": erased}
        ctx.checkpoint()
    return {"erased": erased}


@registry.job(
    ERASE_DUE, label=_l("Erase the cases past their retention period"), result_labels=RESULTS
)
def erase_due_cases(ctx: JobContext) -> dict[str, int]:
    return _erase_all(ctx, None, due_for_erasure())


@registry.job(
    ERASE_DUE_OF_AGENCY,
    label=_l("Erase your agency's cases past their retention period"),
    result_labels=RESULTS,
)
def erase_due_cases_of_agency(ctx: JobContext) -> dict[str, int]:
    """Started by a supervisor: only the due cases they may erase, erased as them."""
    actor = db.session.get(User, ctx.started_by_id) if ctx.started_by_id else None
    if actor is None or not actor.active:
        return {"erased": 0}
    return _erase_all(ctx, actor, visible_due_for_erasure(actor))


daily(ERASE_DUE)
