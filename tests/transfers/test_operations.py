"""Transfer operations without HTTP: consent, the life cycle and its refusals, access before,
during and after, audit, timeline and notifications (decision 0091)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.cases.lifecycle.closure import approve_closure, request_closure
from casework.cases.models import Case, TimelineEntry
from casework.cases.operations import add_case_note
from casework.cases.scopes import visible_cases
from casework.core.extensions import db
from casework.notifications.mailer import MEMORY_OUTBOX
from casework.notifications.models import Notification
from casework.policy import Action, PermissionDenied, can
from casework.referrals.operations import accept_referral, create_referral
from casework.transfers import operations as ops
from casework.transfers import queries
from casework.transfers.models import CaseTransfer
from tests import factories
from tests.transfers.conftest import World, propose


def _actions(target_id: object) -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.target_id == str(target_id))
    return list(db.session.execute(query.order_by(AuditEvent.seq)).scalars())


def _timeline(case: Case) -> list[str]:
    query = select(TimelineEntry.kind).where(TimelineEntry.case_id == case.id)
    return list(db.session.execute(query.order_by(TimelineEntry.at)).scalars())


def _notified(account: factories.Account, kind: str) -> int:
    query = select(Notification).where(
        Notification.user_id == account.user.id, Notification.kind == kind
    )
    return len(db.session.execute(query).all())


def _visible(account: factories.Account) -> set[object]:
    return set(db.session.scalars(visible_cases(account.user).with_only_columns(Case.id)))


def _fresh(world: World) -> Case:
    db.session.expire_all()
    return db.session.get(Case, world.case.id)


def test_a_proposal_is_audited_on_the_timeline_announced_and_gives_no_access(
    world: World, app
) -> None:
    transfer = propose(world)
    db.session.commit()
    assert transfer.status == "pending"
    assert (transfer.from_country, transfer.to_country, transfer.cross_border) == ("TH", "KH", True)
    assert transfer.from_assignee_id == world.caseworker.user.id
    raw = db.session.scalar(select(CaseTransfer.reason_ct).where(CaseTransfer.id == transfer.id))
    assert b"Canary" not in raw, "the reason is stored encrypted"
    assert _actions(transfer.id) == ["transfer.proposed"]
    assert _timeline(world.case) == ["transfer.proposed"]
    assert _notified(world.kh_supervisor, "transfer_received") == 1
    assert _notified(world.kh_caseworker, "transfer_received") == 0
    mail = [
        m for m in app.extensions.get(MEMORY_OUTBOX, []) if m.user_id == world.kh_supervisor.user.id
    ]
    assert len(mail) == 1
    assert f"/transfers/{transfer.id}" in mail[0].body
    for secret in ("Canary", "Sokha", "returns home"):
        assert secret not in mail[0].body + mail[0].subject
    # pending: the case is still Bangkok's alone
    assert not can(world.kh_supervisor.user, Action.VIEW_CASE, world.case)
    assert can(world.kh_supervisor.user, Action.VIEW_TRANSFER, transfer)
    assert world.case.id in _visible(world.caseworker)


def test_no_transfer_without_a_current_consent_for_that_agency(world: World) -> None:
    with pytest.raises(ops.TransferError) as refused:
        propose(world, to_agency_id=world.manila.id)
    assert "consent" in str(refused.value)
    consent = next(c for c in world.case.consents if c.shared_with_agency_id == world.phnom_penh.id)
    from casework.core.db import utcnow

    consent.withdrawn_at = utcnow()
    db.session.flush()
    with pytest.raises(ops.TransferError):
        propose(world)
    assert db.session.scalars(select(CaseTransfer)).all() == []


def test_refused_inputs_and_people(world: World) -> None:
    with pytest.raises(ops.TransferError):
        propose(world, to_agency_id=world.bangkok.id)  # its own agency
    with pytest.raises(ops.TransferError):
        propose(world, shared_groups=[])
    with pytest.raises(ops.TransferError):
        propose(world, shared_groups=["everything"])
    with pytest.raises(ops.TransferError):
        propose(world, reason="  ")
    with pytest.raises(PermissionDenied):
        propose(world, actor=world.kh_supervisor.user)
    with pytest.raises(PermissionDenied):
        propose(world, actor=world.partner.user)
    propose(world)
    with pytest.raises(ops.TransferError):
        propose(world, actor=world.supervisor.user)  # one pending transfer per case


@pytest.mark.parametrize("status", ["Closed", "ClosedReferred"])
def test_a_closed_case_cannot_be_transferred(world: World, status: str) -> None:
    world.case.status = status
    db.session.flush()
    with pytest.raises(ops.TransferError) as refused:
        propose(world)
    assert "closed" in str(refused.value)


def test_an_erased_case_cannot_be_transferred(world: World) -> None:
    from casework.core.db import utcnow

    world.case.status = "Closed"
    world.case.erased_at = utcnow()
    db.session.flush()
    with pytest.raises(ops.TransferError):
        propose(world)


def test_accepting_moves_the_lead_and_the_sender_keeps_only_its_own_records(world: World) -> None:
    before = add_case_note(
        world.caseworker.user, world.case, "Canary Bangkok note", "case_management"
    )
    transfer = propose(world, shared_groups=["identity_contact", "trafficking_context"])
    db.session.commit()
    ops.accept_transfer(world.kh_supervisor.user, transfer)
    db.session.commit()
    case = _fresh(world)
    assert case.agency_id == world.phnom_penh.id
    assert case.sealed_for_agency_id == world.bangkok.id, "nothing was re-encrypted"
    assert case.assigned_to_id is None
    assert case.reference.startswith("TH-"), "the reference stays"
    assert case.person.full_name == "Canary Sokha Chan", "every record still reads"
    assert case.identity_documents[0].number == "N0TRANSFER7"
    assert case.owner_field_groups == ["identity_contact", "trafficking_context"]
    # the receiver owns it: its supervisor sees it, assigns it; the sender no longer does
    assert case.id in _visible(world.kh_supervisor)
    assert case.id not in _visible(world.supervisor)
    assert case.id not in _visible(world.caseworker)
    for action in (Action.VIEW_CASE, Action.EDIT_CASE, Action.CREATE_REFERRAL):
        assert not can(world.caseworker.user, action, case)
        assert not can(world.supervisor.user, action, case)
    assert can(world.kh_supervisor.user, Action.ASSIGN_CASE, case)
    assert can(world.kh_supervisor.user, Action.APPROVE_CLOSURE, case)
    # audit, timeline (one story), notifications
    assert _actions(transfer.id) == ["transfer.proposed", "transfer.accepted"]
    assert _timeline(case)[-1] == "transfer.accepted"
    assert _notified(world.caseworker, "transfer_accepted") == 1
    assert _notified(world.supervisor, "transfer_accepted") == 1
    # what Phnom Penh adds afterwards the sender never reads
    factories_assign(world, case)
    after = add_case_note(
        world.kh_caseworker.user, case, "Canary Phnom Penh note", "case_management"
    )
    db.session.commit()
    transfer = db.session.get(CaseTransfer, transfer.id)
    for account in (world.caseworker, world.supervisor):
        notes = queries.own_notes(account.user, transfer)
        assert [n.id for n in notes] == [before.id]
        assert after.id not in {n.id for n in notes}
        kinds = [e.kind for e in queries.own_timeline(account.user, transfer)]
        assert "note.added" in kinds
        assert "transfer.proposed" in kinds
        assert "transfer.accepted" not in kinds  # Phnom Penh's entry
    with pytest.raises(PermissionDenied):
        queries.own_notes(world.kh_supervisor.user, transfer)
    other_worker = factories.make_user(factories.Role.CASEWORKER, world.bangkok)
    with pytest.raises(PermissionDenied):
        queries.own_notes(other_worker.user, transfer)


def factories_assign(world: World, case: Case) -> None:
    from casework.cases.assignment.operations import assign_case

    assign_case(world.kh_supervisor.user, case, world.kh_caseworker.user.id)
    db.session.flush()


def test_the_receiving_caseworker_refers_the_case_on(world: World) -> None:
    transfer = propose(world)
    ops.accept_transfer(world.kh_supervisor.user, transfer)
    case = _fresh(world)
    factories_assign(world, case)
    factories.make_consent(case, "referral", agency=world.ngo)
    referral = create_referral(
        world.kh_caseworker.user,
        case,
        to_agency_id=world.ngo.id,
        services=["psychosocial_counselling"],
        urgency="routine",
        reason="Counselling at home",
        shared_groups=["trafficking_context"],
    )
    assert referral.from_agency_id == world.phnom_penh.id
    accept_referral(world.partner.user, referral)
    assert can(world.partner.user, Action.VIEW_CASE, case)


@pytest.mark.parametrize("how", ["decline", "withdraw_by_caseworker", "withdraw_by_supervisor"])
def test_declined_or_withdrawn_leaves_everything_as_it_was(world: World, how: str) -> None:
    transfer = propose(world)
    db.session.commit()
    if how == "decline":
        ops.decline_transfer(world.kh_supervisor.user, transfer, reason="Canary: no capacity")
        told, kind = world.caseworker, "transfer_declined"
    else:
        actor = world.caseworker if how == "withdraw_by_caseworker" else world.supervisor
        ops.withdraw_transfer(actor.user, transfer)
        told, kind = world.kh_supervisor, "transfer_withdrawn"
    db.session.commit()
    case = _fresh(world)
    assert case.agency_id == world.bangkok.id
    assert case.assigned_to_id == world.caseworker.user.id
    assert case.owner_field_groups is None
    assert case.id in _visible(world.caseworker)
    assert case.id not in _visible(world.kh_supervisor)
    assert _notified(told, kind) == 1
    transfer = db.session.get(CaseTransfer, transfer.id)
    assert not can(world.caseworker.user, Action.VIEW_TRANSFERRED_RECORDS, transfer)
    if how == "decline":
        assert transfer.decline_reason == "Canary: no capacity"
    # answered or withdrawn: no second answer
    with pytest.raises(ops.TransferRefused):
        ops.accept_transfer(world.kh_supervisor.user, transfer)
    with pytest.raises((ops.TransferRefused, PermissionDenied)):
        ops.withdraw_transfer(world.supervisor.user, transfer)
    # and a new proposal may be made
    propose(world)


def test_only_the_receiving_supervisor_answers(world: World) -> None:
    transfer = propose(world)
    for account in (world.kh_caseworker, world.supervisor, world.caseworker, world.partner):
        with pytest.raises(PermissionDenied):
            ops.accept_transfer(account.user, transfer)
    with pytest.raises(PermissionDenied):
        ops.withdraw_transfer(world.kh_supervisor.user, transfer)


def test_accepting_twice_counts_once(world: World) -> None:
    transfer = propose(world)
    ops.accept_transfer(world.kh_supervisor.user, transfer)
    with pytest.raises(ops.TransferRefused):
        ops.accept_transfer(world.kh_supervisor.user, transfer)
    assert _actions(transfer.id).count("transfer.accepted") == 1


def _close(world: World, status: str) -> None:
    request_closure(
        world.caseworker.user, world.case, reason="returned_reintegrated", status=status
    )
    approve_closure(world.supervisor.user, world.case)
    db.session.flush()


def test_closing_as_closed_withdraws_a_pending_transfer(world: World) -> None:
    transfer = propose(world)
    _close(world, "Closed")
    assert transfer.status == "withdrawn"
    assert "transfer.withdrawn_on_closure" in _actions(transfer.id)
    assert _notified(world.kh_supervisor, "transfer_withdrawn") == 1
    with pytest.raises(ops.TransferRefused):
        ops.accept_transfer(world.kh_supervisor.user, transfer)


def test_closed_referred_keeps_a_pending_transfer_and_accepted_referrals_going(
    world: World,
) -> None:
    factories.make_consent(world.case, "referral", agency=world.ngo)
    referral = factories.make_referral(world.case, world.ngo, status="accepted")
    transfer = propose(world)
    _close(world, "ClosedReferred")
    assert transfer.status == "pending"
    assert referral.status == "accepted"
    assert can(world.partner.user, Action.VIEW_CASE, world.case)
    ops.accept_transfer(world.kh_supervisor.user, transfer)
    case = _fresh(world)
    assert case.agency_id == world.phnom_penh.id
    assert can(world.kh_supervisor.user, Action.VIEW_CASE, case)
    assert can(world.partner.user, Action.VIEW_CASE, case), "the referral goes on"


def test_a_consent_withdrawn_while_pending_refuses_the_acceptance(world: World) -> None:
    from casework.core.db import utcnow

    transfer = propose(world)
    consent = next(c for c in world.case.consents if c.shared_with_agency_id == world.phnom_penh.id)
    consent.withdrawn_at = utcnow()
    db.session.flush()
    with pytest.raises(ops.TransferRefused) as refused:
        ops.accept_transfer(world.kh_supervisor.user, transfer)
    assert "consent" in str(refused.value)
    assert transfer.status == "pending"
    assert _fresh(world).agency_id == world.bangkok.id
    ops.decline_transfer(world.kh_supervisor.user, transfer, reason="No consent any more")
