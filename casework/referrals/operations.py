"""Referral operations: create, accept, decline, complete, revoke, expire.

Each checks the policy and asks REFERRAL_TRANSITIONS (casework.domain) whether the referral
may take its event, changes the ORM, writes an audit event and a case timeline entry (codes
and ids only), tells the people concerned, flushes, and never commits. An event the referral
cannot take raises TransitionRefused, which views show as a message (409), never a server
error.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from casework import audit
from casework.agencies.choice import other_active_agency
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.cases.guard import Change, ensure_may_change
from casework.cases.models import Case
from casework.cases.timeline import add_entry
from casework.core.conditional import update_if
from casework.core.db import parse_uuid, utcnow
from casework.core.errors import OperationError
from casework.core.extensions import db
from casework.core.locks import serialise
from casework.domain import (
    AGENCY_CONSENT_PURPOSES,
    CONTINUING_CASE_STATUSES,
    OPEN_REFERRAL_STATUSES,
    REFERRAL_TRANSITIONS,
    ReferralEvent,
    ReferralStatus,
)
from casework.notifications.operations import agency_users, case_owners, link_to, notify
from casework.policy import Action, ReferralDraft, Role, can, require
from casework.referrals import expiry
from casework.referrals.models import Referral, ReferralService
from casework.vocab import REFERRAL_REASONS, SERVICE_TYPES, SHARED_GROUPS, URGENCIES

REASON_MAX = 2000


class ReferralError(OperationError):
    """Input a referral cannot take, or an action the referral does not allow."""


class TransitionRefused(ReferralError):
    """The referral is not in a state this action starts from (answered twice, completing a
    declined referral, acting on an expired one)."""


# ---- helpers -------------------------------------------------------------------------------


def _text(value: Any, field: str, message: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ReferralError(message, field)
    if len(text) > REASON_MAX:
        raise ReferralError(_("Enter at most %(n)d characters.", n=REASON_MAX), field)
    return text


def _codes(values: Any, vocabulary: Any, field: str) -> list[str]:
    codes = sorted({str(v) for v in (values or [])})
    if any(code not in vocabulary for code in codes):
        raise ReferralError(_("Not a valid choice."), field)
    return codes


def _link(referral: Referral) -> str:
    return link_to("referrals.view_referral", referral_id=referral.id)


def _senders(referral: Referral) -> list[User]:
    users = case_owners(referral.case)
    creator = db.session.get(User, referral.created_by_id) if referral.created_by_id else None
    return [*users, creator] if creator is not None else users


def _receivers(referral: Referral) -> list[User]:
    return agency_users(referral.to_agency_id, [Role.PARTNER, Role.SUPERVISOR])


def _record(
    referral: Referral,
    event: str,
    actor: User | None,
    notify_users: Iterable[User],
    kind: str,
) -> None:
    direction = f"{referral.from_country}>{referral.to_country}"
    audit.record(f"referral.{event}", actor=actor, target=referral, detail=direction)
    entry = add_entry(
        referral.case, f"referral.{event}", actor=actor, detail=direction, target=referral
    )
    if actor is None:
        entry.agency_id = None  # the system (expiry), not an agency
    notify(notify_users, kind, case=referral.case, link=_link(referral))
    db.session.flush()


def _move(referral: Referral, event: ReferralEvent, refused: str) -> ReferralStatus:
    """The status `event` leads to (REFERRAL_TRANSITIONS, from the effective status), or
    TransitionRefused with `refused` (an expired referral says so instead)."""
    if not referral.allows(event):
        if referral.effective_status == ReferralStatus.EXPIRED:
            refused = _("This referral expired without an answer. The sender can make a new one.")
        raise TransitionRefused(refused)
    return REFERRAL_TRANSITIONS.transition(referral.effective_status, event)


def _take(referral: Referral, event: ReferralEvent, **values: Any) -> bool:
    """Move the stored row by `event` only if it is still in a state the event starts from
    (a conditional UPDATE): of two answers sent at once, exactly one is recorded."""
    status = REFERRAL_TRANSITIONS.transition(referral.status, event)
    starts = Referral.status.in_(sorted(REFERRAL_TRANSITIONS.sources(event)))
    return update_if(referral, starts, status=status.value, **values)


def _act(referral: Referral, event: ReferralEvent, refused: str, **values: Any) -> ReferralStatus:
    """`_move`'s check, then `_take`: the loser of a race is refused with `refused` as if it
    had come second (it did), never a server error."""
    status = _move(referral, event, refused)
    if not _take(referral, event, **values):
        raise TransitionRefused(refused)
    return status


# ---- create --------------------------------------------------------------------------------


def receiving_agency(case: Case, agency_id: Any) -> Agency:
    """The agency a case may be referred to: another agency, active."""
    return other_active_agency(case.agency_id, agency_id, ReferralError)


def create_referral(
    actor: User,
    case: Case,
    *,
    to_agency_id: Any,
    services: Any,
    urgency: Any,
    reason: Any,
    shared_groups: Any,
    reason_code: Any = None,
) -> Referral:
    """Refer `case` to another agency. Refused without a current consent to share with, or
    refer to, that agency, whatever the form sent."""
    require(actor, Action.CREATE_REFERRAL, case)
    ensure_may_change(case, Change.REFER, ReferralError)
    agency = receiving_agency(case, to_agency_id)
    service_codes = _codes(services, SERVICE_TYPES, "services")
    if not service_codes:
        raise ReferralError(_("Choose at least one service."), "services")
    missing = [code for code in service_codes if code not in (agency.services_offered or [])]
    if missing:
        raise ReferralError(
            _(
                "%(agency)s does not offer: %(services)s. Choose another agency or service.",
                agency=agency.name,
                services=", ".join(SERVICE_TYPES.label(code) for code in missing),
            ),
            "services",
        )
    urgency_code = str(urgency or "")
    if urgency_code not in URGENCIES:
        raise ReferralError(_("Choose how urgent the referral is."), "urgency")
    groups = _codes(shared_groups, SHARED_GROUPS, "shared_groups")
    reason_text = _text(reason, "reason", _("Say why the person is referred."))
    # The coded reason (HTCDS): the form asks for it; a caller without one records none.
    reason_coded = str(reason_code) if reason_code else None
    if reason_coded is not None and reason_coded not in REFERRAL_REASONS:
        raise ReferralError(_("Choose a reason from the list."), "reason_code")
    # The consent check, in the operation and in the policy (a crafted POST meets both).
    no_consent = _(
        "There is no current consent to share this case with %(agency)s. Record the person's "
        "consent first.",
        agency=agency.name,
    )
    if not case.has_current_consent(AGENCY_CONSENT_PURPOSES, agency.id):
        raise ReferralError(no_consent, "to_agency_id")
    if not can(actor, Action.SEND_REFERRAL, ReferralDraft(case, agency.id)):
        raise ReferralError(no_consent, "to_agency_id")
    # Two requests sending the same referral at once (a double click, two tabs) both read "no
    # open referral" in Python: the check is made again under a lock on the case, on what is
    # committed, so one creates it and the other is told (issue 13).
    serialise(f"referral-create:{case.id}")
    current = db.session.scalars(
        select(Referral)
        .where(Referral.case_id == case.id, Referral.to_agency_id == agency.id)
        .execution_options(populate_existing=True)
    )
    if any(r.effective_status in OPEN_REFERRAL_STATUSES for r in current):
        raise ReferralError(
            _("This case already has an open referral to %(agency)s.", agency=agency.name),
            "to_agency_id",
        )

    referral = Referral(
        case_id=case.id,
        from_agency_id=case.agency_id,
        to_agency_id=agency.id,
        from_country=case.agency.country,
        to_country=agency.country,
        created_by_id=actor.id,
        urgency=urgency_code,
        reason_code=reason_coded,
        shared_groups=groups,
        status=ReferralStatus.PENDING,
        created_at=utcnow(),
    )
    case.referrals.append(referral)
    referral.reason = reason_text
    for code in service_codes:
        referral.services.append(ReferralService(service_type=code))
    db.session.flush()
    _record(referral, "created", actor, _receivers(referral), "referral_received")
    return referral


# ---- answers and endings -------------------------------------------------------------------


RECEIVING_ROLES = (Role.CASEWORKER.value, Role.SUPERVISOR.value, Role.PARTNER.value)


def receiving_staff(referral: Referral) -> list[User]:
    """Who may be named the receiving caseworker: the receiving agency's active staff who
    handle cases (caseworkers, supervisors, partner staff)."""
    users = db.session.scalars(
        select(User)
        .where(
            User.agency_id == referral.to_agency_id,
            User.active.is_(True),
            User.role.in_(RECEIVING_ROLES),
        )
        .order_by(User.name, User.email)
    )
    return [user for user in users if user.is_active]


def _receiving_caseworker(referral: Referral, caseworker_id: Any) -> uuid.UUID | None:
    if not caseworker_id:
        return None
    wanted = parse_uuid(caseworker_id)
    if wanted is None or wanted not in {user.id for user in receiving_staff(referral)}:
        raise ReferralError(
            _("Choose a member of the receiving agency's staff."), "receiving_caseworker_id"
        )
    return wanted


def accept_referral(actor: User, referral: Referral, caseworker_id: Any = None) -> Referral:
    """The receiver takes the referral: its access to the shared groups starts now. It may
    name who will work with the person (HTCDS's referred primary caseworker): one of its own
    staff, whatever the form sent."""
    require(actor, Action.RESPOND_REFERRAL, referral)
    answered = _("This referral has already been answered.")
    _move(referral, ReferralEvent.ACCEPT, answered)
    ensure_may_change(referral.case, Change.ACCEPT_REFERRAL, TransitionRefused)
    named = _receiving_caseworker(referral, caseworker_id)
    status = _act(
        referral,
        ReferralEvent.ACCEPT,
        answered,
        responded_at=utcnow(),
        responded_by_id=actor.id,
        receiving_caseworker_id=named,
    )
    _record(referral, status, actor, _senders(referral), "referral_accepted")
    return referral


def decline_referral(actor: User, referral: Referral, *, reason: Any) -> Referral:
    """The receiver turns the referral down, saying why (kept encrypted)."""
    require(actor, Action.RESPOND_REFERRAL, referral)
    ensure_may_change(referral.case, Change.END_REFERRAL, TransitionRefused)
    text = _text(reason, "reason", _("Say why the referral is declined."))
    status = _act(
        referral,
        ReferralEvent.DECLINE,
        _("This referral has already been answered."),
        responded_at=utcnow(),
        responded_by_id=actor.id,
    )
    referral.decline_reason = text  # encrypted: set through the model, once the row is ours
    _record(referral, status, actor, _senders(referral), "referral_declined")
    return referral


def complete_referral(actor: User, referral: Referral) -> Referral:
    """The receiver has delivered: its access to the case ends, its records stay its own."""
    require(actor, Action.COMPLETE_REFERRAL, referral)
    ensure_may_change(referral.case, Change.END_REFERRAL, TransitionRefused)
    status = _act(
        referral,
        ReferralEvent.COMPLETE,
        _("Only an accepted referral can be completed."),
        completed_at=utcnow(),
    )
    _record(referral, status, actor, _senders(referral), "referral_completed")
    return referral


def revoke_referral(actor: User, referral: Referral) -> Referral:
    """The sender withdraws the referral: the receiver loses the case at once."""
    require(actor, Action.REVOKE_REFERRAL, referral)
    ensure_may_change(referral.case, Change.END_REFERRAL, TransitionRefused)
    status = _act(
        referral,
        ReferralEvent.REVOKE,
        _("Only a pending or accepted referral can be revoked."),
        revoked_at=utcnow(),
    )
    _record(referral, status, actor, _receivers(referral), "referral_revoked")
    return referral


def end_referrals_of_closed_case(actor: User, case: Case) -> int:
    """A case closed as "Closed" keeps no one else's access: accepted referrals are completed,
    pending ones revoked, each audited and told to the receiver. A case closed as referred
    continues with the agencies it went to: none of its referrals ends
    (CONTINUING_CASE_STATUSES). Returns how many ended."""
    if case.status in CONTINUING_CASE_STATUSES:
        return 0
    ended = 0
    for referral in case.referrals:
        # The stored status: a pending referral past its deadline is revoked too, so its
        # receiver is told the case ended.
        if not REFERRAL_TRANSITIONS.allows(referral.status, ReferralEvent.CLOSE_CASE):
            continue
        ending = REFERRAL_TRANSITIONS.transition(referral.status, ReferralEvent.CLOSE_CASE)
        when = "completed_at" if ending == ReferralStatus.COMPLETED else "revoked_at"
        if not _take(referral, ReferralEvent.CLOSE_CASE, **{when: utcnow()}):
            continue  # answered or ended at this very moment: that answer stands
        _record(
            referral,
            f"{referral.status}_on_closure",
            actor,
            _receivers(referral),
            "referral_ended_by_closure",
        )
        ended += 1
    return ended


def revoke_pending_referrals_of_restricted_case(actor: User, case: Case) -> int:
    """The person withdrew their consent to registration and data processing (decision 0063):
    no referral of the case may still be accepted. Pending ones are revoked, each audited and
    told to the receiver; accepted ones give no access while the case is restricted (the
    policy), and resume if the consent is given again. Returns how many were revoked."""
    revoked = 0
    for referral in case.referrals:
        # The stored status: a pending referral past its deadline is revoked too.
        if not REFERRAL_TRANSITIONS.allows(referral.status, ReferralEvent.REVOKE):
            continue
        if referral.status != ReferralStatus.PENDING:
            continue
        referral.status = REFERRAL_TRANSITIONS.transition(referral.status, ReferralEvent.REVOKE)
        referral.revoked_at = utcnow()
        _record(
            referral,
            "revoked_on_consent_withdrawal",
            actor,
            _receivers(referral),
            "referral_revoked",
        )
        revoked += 1
    return revoked


def expire_referral(referral: Referral, now: datetime | None = None) -> bool:
    """Record the expiry of a pending referral past its deadline (the system acts)."""
    now = now or utcnow()
    due = expiry.is_expired(referral, now)
    if not (due and REFERRAL_TRANSITIONS.allows(referral.status, ReferralEvent.EXPIRE)):
        return False
    if not _take(referral, ReferralEvent.EXPIRE, expired_at=now):
        return False  # answered at this very moment: the answer stands
    _record(referral, referral.status, None, _senders(referral), "referral_expired")
    return True


def overdue_pending(now: datetime | None = None) -> Any:
    return select(Referral).where(
        Referral.status == ReferralStatus.PENDING,
        Referral.created_at <= expiry.expiry_cutoff(now),
    )


def expire_overdue_referrals(
    now: datetime | None = None, progress: Callable[[int], Any] | None = None
) -> int:
    """Record every expiry that is due; returns how many."""
    now = now or utcnow()
    referrals = list(
        db.session.execute(overdue_pending(now).order_by(Referral.created_at)).scalars()
    )
    count = 0
    for referral in referrals:
        count += expire_referral(referral, now)
        if progress is not None:
            progress(1)
    return count
