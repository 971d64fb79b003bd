"""Transfer operations: propose, accept, decline, withdraw; and what closing a case does to a
pending transfer (decision 0091).

Each checks the policy and asks TRANSFER_TRANSITIONS whether the transfer may take its event,
changes the ORM (conditional updates: of two answers at once exactly one counts), writes an
audit event and a case timeline entry (codes and ids only), tells the people concerned in the
app and by e-mail, flushes, and never commits.

Accepting moves the case's `agency_id` (who owns it) and nothing encrypted: every record stays
sealed for `Case.sealed_for_agency_id`, so nothing is re-encrypted and nothing becomes
unreadable; what the sender may still read is decided by the policy alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from casework import audit
from casework.agencies.choice import other_active_agency
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.cases.guard import Change, ensure_may_change, where_allowed
from casework.cases.models import Case
from casework.cases.timeline import add_entry
from casework.core.conditional import update_if
from casework.core.db import utcnow
from casework.core.errors import OperationError
from casework.core.extensions import db
from casework.core.locks import serialise
from casework.domain import (
    CONTINUING_CASE_STATUSES,
    TRANSFER_TRANSITIONS,
    TransferEvent,
    TransferStatus,
)
from casework.notifications.operations import agency_users, link_to, notify
from casework.policy import FIELD_GROUPS, Action, ReferralDraft, Role, require
from casework.policy import can as policy_can
from casework.policy.predicates import consent_covers_receiver
from casework.transfers.models import CaseTransfer
from casework.vocab import SHARED_GROUPS

REASON_MAX = 2000


class TransferError(OperationError):
    """Input a transfer cannot take, or an action the transfer does not allow."""


class TransferRefused(TransferError):
    """The transfer is not in a state this action starts from (answered twice, withdrawn)."""


def _text(value: Any, field: str, message: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise TransferError(message, field)
    if len(text) > REASON_MAX:
        raise TransferError(_("Enter at most %(n)d characters.", n=REASON_MAX), field)
    return text


def _link(transfer: CaseTransfer) -> str:
    return link_to("transfers.view_transfer", transfer_id=transfer.id)


def _sender_users(transfer: CaseTransfer) -> list[User]:
    """The proposer, the caseworker the case was assigned to then, the sender's supervisors."""
    users = agency_users(transfer.from_agency_id, [Role.SUPERVISOR])
    for user_id in (transfer.proposed_by_id, transfer.from_assignee_id):
        user = db.session.get(User, user_id) if user_id else None
        if user is not None:
            users.append(user)
    return users


def _receiver_users(transfer: CaseTransfer) -> list[User]:
    return agency_users(transfer.receiving_agency_id, [Role.SUPERVISOR])


def _record(
    transfer: CaseTransfer, event: str, actor: User | None, users: Iterable[User], kind: str
) -> None:
    direction = f"{transfer.from_country}>{transfer.to_country}"
    audit.record(f"transfer.{event}", actor=actor, target=transfer, detail=direction)
    add_entry(transfer.case, f"transfer.{event}", actor=actor, detail=direction, target=transfer)
    actor_id = getattr(actor, "id", None)
    notify([u for u in users if u.id != actor_id], kind, case=transfer.case, link=_link(transfer))
    db.session.flush()


def _act(transfer: CaseTransfer, event: TransferEvent, refused: str, **values: Any) -> None:
    """Move the stored row by `event` only if it still starts from a state the event takes
    (TRANSFER_TRANSITIONS): the loser of a race is refused as if it had come second."""
    if not transfer.allows(event):
        raise TransferRefused(refused)
    status = TRANSFER_TRANSITIONS.transition(transfer.status, event)
    starts = CaseTransfer.status.in_(sorted(TRANSFER_TRANSITIONS.sources(event)))
    if not update_if(transfer, starts, status=status.value, **values):
        raise TransferRefused(refused)


def receiving_agency(case: Case, agency_id: Any) -> Agency:
    """The agency a case may be transferred to: another agency, active."""
    return other_active_agency(case.agency_id, agency_id, TransferError)


def pending_transfer(case: Case) -> CaseTransfer | None:
    """The case's transfer waiting for an answer, if there is one (at most one)."""
    return db.session.scalars(
        select(CaseTransfer)
        .where(CaseTransfer.case_id == case.id, CaseTransfer.status == TransferStatus.PENDING)
        .execution_options(populate_existing=True)
    ).first()


def propose_transfer(
    actor: User, case: Case, *, to_agency_id: Any, shared_groups: Any, reason: Any
) -> CaseTransfer:
    """Propose that `to_agency_id` takes the lead of `case`. Refused without the person's
    current consent to that agency (the referral's check: SEND_TRANSFER on a ReferralDraft),
    whatever the form sent."""
    require(actor, Action.PROPOSE_TRANSFER, case)
    ensure_may_change(case, Change.TRANSFER, TransferError)
    agency = receiving_agency(case, to_agency_id)
    groups = sorted({str(v) for v in (shared_groups or [])})
    if any(code not in SHARED_GROUPS for code in groups):
        raise TransferError(_("Not a valid choice."), "shared_groups")
    if not groups:
        raise TransferError(
            _("Choose at least one group of information to hand over."), "shared_groups"
        )
    text = _text(reason, "reason", _("Say why the case is transferred."))
    if not policy_can(actor, Action.SEND_TRANSFER, ReferralDraft(case, agency.id)):
        raise TransferError(
            _(
                "There is no current consent to share this case with %(agency)s. Record the "
                "person's consent first.",
                agency=agency.name,
            ),
            "to_agency_id",
        )
    # Two proposals at once both read "none pending": checked again under a lock on the case.
    serialise(f"transfer-propose:{case.id}")
    if pending_transfer(case) is not None:
        raise TransferError(_("This case already has a transfer waiting for an answer."))
    transfer = CaseTransfer(
        case_id=case.id,
        from_agency_id=case.agency_id,
        receiving_agency_id=agency.id,
        from_country=case.agency.country,
        to_country=agency.country,
        proposed_by_id=actor.id,
        from_assignee_id=case.assigned_to_id,
        shared_groups=groups,
        status=TransferStatus.PENDING.value,
    )
    transfer.case = case
    transfer.reason = text
    db.session.add(transfer)
    db.session.flush()
    _record(transfer, "proposed", actor, _receiver_users(transfer), "transfer_received")
    return transfer


def accept_transfer(actor: User, transfer: CaseTransfer) -> CaseTransfer:
    """The receiving agency takes the lead: the case is its own from now (unassigned, for its
    supervisors to assign), showing it the groups handed over; the sender keeps reading its
    own records up to now (the policy), nothing else."""
    require(actor, Action.RESPOND_TRANSFER, transfer)
    answered = _("This transfer has already been answered.")
    if not transfer.allows(TransferEvent.ACCEPT):
        raise TransferRefused(answered)
    case = transfer.case
    ensure_may_change(case, Change.ACCEPT_TRANSFER, TransferRefused)
    # The consent is checked again: the person may have withdrawn it (or their consent to
    # registration, decision 0063) since the proposal (the referral's rule, one home).
    if not consent_covers_receiver(ReferralDraft(case, transfer.receiving_agency_id)):
        raise TransferRefused(
            _(
                "The person's consent to share with your agency is no longer current: this "
                "transfer can only be declined."
            )
        )
    _act(transfer, TransferEvent.ACCEPT, answered, decided_at=utcnow(), decided_by_id=actor.id)
    groups = sorted(transfer.shared_groups or [])
    moved = update_if(
        case,
        where_allowed(Change.ACCEPT_TRANSFER) & (Case.agency_id == transfer.from_agency_id),
        agency_id=transfer.receiving_agency_id,
        assigned_to_id=None,
        closure_requested_at=None,
        closure_requested_by_id=None,
        closure_requested_status=None,
        owner_field_groups=None if set(groups) >= set(FIELD_GROUPS) else groups,
    )
    if not moved:  # closed, erased or moved since it was loaded: nothing changes hands
        raise TransferRefused(answered)
    db.session.expire(case, ["agency", "assigned_to"])
    _record(transfer, TransferStatus.ACCEPTED, actor, _sender_users(transfer), "transfer_accepted")
    return transfer


def decline_transfer(actor: User, transfer: CaseTransfer, *, reason: Any) -> CaseTransfer:
    """The receiving agency turns the transfer down, saying why (kept encrypted): the case
    stays with the sender as it was."""
    require(actor, Action.RESPOND_TRANSFER, transfer)
    ensure_may_change(transfer.case, Change.END_TRANSFER, TransferRefused)
    text = _text(reason, "reason", _("Say why the transfer is declined."))
    _act(
        transfer,
        TransferEvent.DECLINE,
        _("This transfer has already been answered."),
        decided_at=utcnow(),
        decided_by_id=actor.id,
    )
    transfer.decline_reason = text
    _record(transfer, TransferStatus.DECLINED, actor, _sender_users(transfer), "transfer_declined")
    return transfer


def withdraw_transfer(actor: User, transfer: CaseTransfer) -> CaseTransfer:
    """The sender takes the proposal back while it waits: the case stays as it was."""
    require(actor, Action.WITHDRAW_TRANSFER, transfer)
    ensure_may_change(transfer.case, Change.END_TRANSFER, TransferRefused)
    _act(
        transfer,
        TransferEvent.WITHDRAW,
        _("Only a transfer waiting for an answer can be withdrawn."),
        withdrawn_at=utcnow(),
    )
    _record(
        transfer, TransferStatus.WITHDRAWN, actor, _receiver_users(transfer), "transfer_withdrawn"
    )
    return transfer


def end_transfer_of_closed_case(actor: User, case: Case) -> bool:
    """A case closed as "Closed" withdraws its pending transfer (told to the receiver); one
    closed as referred continues (CONTINUING_CASE_STATUSES): the transfer may be accepted."""
    if case.status in CONTINUING_CASE_STATUSES:
        return False
    transfer = pending_transfer(case)
    if transfer is None:
        return False
    starts = CaseTransfer.status.in_(sorted(TRANSFER_TRANSITIONS.sources(TransferEvent.CLOSE_CASE)))
    ending = TRANSFER_TRANSITIONS.transition(transfer.status, TransferEvent.CLOSE_CASE)
    if not update_if(transfer, starts, status=ending.value, withdrawn_at=utcnow()):
        return False  # answered at this very moment: that answer stands
    _record(
        transfer, "withdrawn_on_closure", actor, _receiver_users(transfer), "transfer_withdrawn"
    )
    return True
