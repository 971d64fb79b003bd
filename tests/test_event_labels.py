"""Every timeline entry and audit event the code base writes has words in every language.

Reads every call that writes an event (`audit.record`, `add_entry`) with `ast`: a code given as
a string needs a label in casework/vocab/events.py; a code built at run time (an f-string or a
variable) is listed below with every value it can take, so a new one fails here until it is.
"""

from __future__ import annotations

import ast
import re

from casework import ROOT
from casework.domain import ReferralStatus
from casework.vocab import EVENTS, OUTCOMES, event_label

# Codes built at run time: the call site -> every code it can write.
BUILT: dict[str, set[str]] = {
    "casework/admin/operations.py:record": {
        "agency.reactivated",
        "agency.deactivated",
        "user.reactivated",
        "user.deactivated",
    },
    "casework/referrals/operations.py:record": {
        *(f"referral.{s}" for s in ("created", "accepted", "declined", "completed", "revoked")),
        "referral.expired",
        "referral.completed_on_closure",
        "referral.revoked_on_closure",
        "referral.revoked_on_consent_withdrawal",
    },
    "casework/referrals/operations.py:add_entry": {
        *(f"referral.{s}" for s in ("created", "accepted", "declined", "completed", "revoked")),
        "referral.expired",
        "referral.completed_on_closure",
        "referral.revoked_on_closure",
        "referral.revoked_on_consent_withdrawal",
    },
    "casework/transfers/operations.py:record": {
        *(f"transfer.{s}" for s in ("proposed", "accepted", "declined", "withdrawn")),
        "transfer.withdrawn_on_closure",
    },
    "casework/transfers/operations.py:add_entry": {
        *(f"transfer.{s}" for s in ("proposed", "accepted", "declined", "withdrawn")),
        "transfer.withdrawn_on_closure",
    },
    "casework/auth/operations.py:record": {
        "sign_in.password_failed",
        "sign_in.second_factor_failed",
        "sign_in.enrolment_failed",
    },
    "casework/services/operations.py:record": {"support_plan.created", "support_plan.updated"},
    "casework/auth/links.py:record": {
        *(
            f"account.{p}_link_{u}"
            for p in ("invitation", "password_reset")
            for u in ("issued", "used")
        )
    },
    "casework/auth/routes.py:record": {
        "account.current_password_failed",
        "account.code_check_failed",
    },
    "casework/services/operations.py:add_entry": {"support_plan.created", "support_plan.updated"},
    "casework/federation/operations.py:record": {
        "federation.peer_suspended",
        "federation.peer_resumed",
        "federation.peer_removed",
    },
    "casework/federation/delivery.py:record": {
        "federation.message_delivered",
        "federation.message_refused_by_peer",
    },
    "casework/audit/__init__.py:PendingEvent": set(),  # record() itself
    "casework/services/plans/approvals.py:record": {
        "plan_approval.approved",
        "plan_approval.declined",
    },
    "casework/services/plans/approvals.py:add_entry": {
        "plan_approval.approved",
        "plan_approval.declined",
    },
    "casework/services/plans/operations.py:record": {
        "plan_step.started",
        "plan_step.completed",
        "plan_step.cancelled",
        "plan_step.reopened",
    },
    "casework/services/plans/operations.py:add_entry": {
        "plan_step.started",
        "plan_step.completed",
        "plan_step.cancelled",
        "plan_step.reopened",
    },
}


def _written_codes() -> tuple[set[str], set[str]]:
    """(codes written as strings, call sites that build their code)."""
    codes: set[str] = set()
    built: set[str] = set()
    for path in sorted((ROOT / "casework").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            owner = getattr(getattr(func, "value", None), "id", None)
            position = {"add_entry": 1, "PendingEvent": 0}.get(str(name))
            if name == "record" and owner in (None, "audit"):
                position = 0
            if position is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                codes.add(argument.value)
            else:
                built.add(f"{path.relative_to(ROOT).as_posix()}:{name}")
    return codes, built


def test_every_written_event_has_words() -> None:
    codes, built = _written_codes()
    assert len(codes) > 40, "the scan finds the events"
    assert built == set(BUILT), "list the codes of a new run-time event code in BUILT"
    wanted = codes | set().union(*BUILT.values())
    missing = sorted(wanted - set(EVENTS.codes))
    assert missing == [], f"give these events words in casework/vocab/events.py: {missing}"


def test_the_referral_codes_built_at_run_time_are_all_listed() -> None:
    statuses = {f"referral.{s.value}" for s in ReferralStatus if s != ReferralStatus.PENDING}
    assert statuses <= BUILT["casework/referrals/operations.py:record"]


def test_labels_are_words_not_codes() -> None:
    for term in (*EVENTS, *OUTCOMES):
        label = str(term.label)
        assert not re.search(r"[a-z]+[._][a-z]+", label), label
        assert label[0].isupper(), label


def test_thai_reader_reads_events_in_thai(app) -> None:
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("th"):
        assert event_label("counselling.risk_flagged") != "Risk flagged in counselling"
        assert event_label("case.registered") == "ลงทะเบียนกรณีแล้ว"
        assert OUTCOMES.label("denied") != "Refused"
