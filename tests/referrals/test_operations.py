"""Referral operations without HTTP: consent, receivers, every transition and the refused
ones, expiry, access starting on acceptance and ending on completion, revocation, expiry or
withdrawal of consent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import Result
from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.cases.models import TimelineEntry
from casework.cases.scopes import visible_cases
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.notifications.mailer import MEMORY_OUTBOX
from casework.notifications.models import Notification
from casework.policy import Action, PermissionDenied, can
from casework.referrals import expiry
from casework.referrals import operations as ops
from casework.referrals.models import Referral
from casework.services.models import ServiceRecord
from casework.services.scopes import visible_service_records
from tests import factories
from tests.referrals.conftest import World, refer


def _actions(target_id: object) -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.target_id == str(target_id))
    return list(db.session.execute(query.order_by(AuditEvent.seq)).scalars())


def _timeline(world: World) -> list[str]:
    query = select(TimelineEntry.kind).where(TimelineEntry.case_id == world.case.id)
    return list(db.session.execute(query.order_by(TimelineEntry.at)).scalars())


def _notified(user: object, kind: str) -> int:
    return len(
        db.session.execute(
            select(Notification).where(
                Notification.user_id == user.id,  # type: ignore[attr-defined]
                Notification.kind == kind,
            )
        ).all()
    )


# ---- create ----------------------------------------------------------------------------------


def test_referral_is_created_audited_on_the_timeline_and_announced(world: World, app) -> None:
    referral = refer(world)
    db.session.commit()
    assert referral.status == "pending"
    assert (referral.from_country, referral.to_country, referral.cross_border) == ("TH", "KH", True)
    assert referral.service_types == ["psychosocial_counselling"]
    assert referral.reason == "Canary reason: nightmares since rescue"
    raw = db.session.execute(select(Referral.reason_ct).where(Referral.id == referral.id)).scalar()
    assert b"Canary" not in raw, "the reason is stored encrypted"
    assert _actions(referral.id) == ["referral.created"]
    assert _timeline(world) == ["referral.created"]
    # the receiving agency's partner and supervisor are told, not the sender, not others
    assert _notified(world.partner.user, "referral_received") == 1
    assert _notified(world.ngo_supervisor.user, "referral_received") == 1
    assert _notified(world.legal_partner.user, "referral_received") == 0
    sent = app.extensions.get(MEMORY_OUTBOX, [])
    mine = [m for m in sent if m.user_id == world.partner.user.id]
    assert len(mine) == 1
    assert world.case.reference in mine[0].body
    assert f"/referrals/{referral.id}" in mine[0].body
    for secret in ("Canary", "Sreymom", "nightmares", "N0CANARY42", "345 678"):
        assert secret not in mine[0].body + mine[0].subject
    # pending: no access yet
    assert not can(world.partner.user, Action.VIEW_CASE, world.case)


def test_no_referral_without_a_consent_for_that_agency(world: World) -> None:
    with pytest.raises(ops.ReferralError) as refused:
        refer(world, to_agency_id=world.legal.id, services=["legal_aid"])
    assert refused.value.field == "to_agency_id"
    assert "consent" in str(refused.value)
    assert db.session.execute(select(Referral)).first() is None


def test_a_withdrawn_or_registration_only_consent_is_not_enough(world: World) -> None:
    factories.make_consent(world.case, "registration")
    [sharing] = [c for c in world.case.consents if c.purpose == "sharing"]
    sharing.withdrawn_at = utcnow()
    db.session.flush()
    with pytest.raises(ops.ReferralError, match="consent"):
        refer(world)
    factories.make_consent(world.case, "referral", agency=world.ngo)
    assert refer(world).status == "pending", "a referral consent for the agency will do"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"services": []}, "services"),
        ({"services": ["legal_aid"]}, "services"),  # not offered by the NGO
        ({"services": ["astrology"]}, "services"),
        ({"urgency": "whenever"}, "urgency"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 2001}, "reason"),
        ({"shared_groups": ["bank_details"]}, "shared_groups"),
        ({"to_agency_id": "not-an-id"}, "to_agency_id"),
    ],
)
def test_bad_input_is_refused_with_the_field(world: World, overrides, field) -> None:
    with pytest.raises(ops.ReferralError) as refused:
        refer(world, **overrides)
    assert refused.value.field == field


def test_receiver_must_be_another_active_agency(world: World) -> None:
    factories.make_consent(world.case, "sharing", agency=world.police)
    with pytest.raises(ops.ReferralError, match="another agency"):
        refer(world, to_agency_id=world.police.id, services=["shelter"])
    world.ngo.active = False
    db.session.flush()
    with pytest.raises(ops.ReferralError, match="active"):
        refer(world)


def test_closed_case_and_duplicate_open_referral_are_refused(world: World) -> None:
    refer(world)
    with pytest.raises(ops.ReferralError, match="already has an open referral"):
        refer(world)
    world.case.status = "Closed"
    db.session.flush()
    with pytest.raises(ops.ReferralError, match="closed"):
        refer(world, to_agency_id=world.ngo.id)


def test_only_the_owners_may_refer(world: World) -> None:
    colleague = factories.make_user("caseworker", world.police)
    with pytest.raises(PermissionDenied):
        refer(world, actor=colleague.user)
    with pytest.raises(PermissionDenied):
        refer(world, actor=world.partner.user)
    assert refer(world, actor=world.supervisor.user).created_by_id == world.supervisor.user.id


# ---- transitions -----------------------------------------------------------------------------


def test_accept_then_complete(world: World) -> None:
    referral = refer(world)
    ops.accept_referral(world.partner.user, referral)
    assert referral.status == "accepted"
    assert referral.responded_by_id == world.partner.user.id
    assert can(world.partner.user, Action.VIEW_CASE, world.case)
    assert world.case.shared_groups_for(world.ngo.id) == {"trafficking_context"}
    assert _notified(world.caseworker.user, "referral_accepted") == 1
    ops.complete_referral(world.partner.user, referral)
    assert referral.status == "completed"
    assert referral.completed_at is not None
    assert not can(world.partner.user, Action.VIEW_CASE, world.case), "access ends on completion"
    assert _notified(world.caseworker.user, "referral_completed") == 1
    assert _actions(referral.id) == ["referral.created", "referral.accepted", "referral.completed"]
    assert _timeline(world) == ["referral.created", "referral.accepted", "referral.completed"]


def test_decline_needs_a_reason(world: World) -> None:
    referral = refer(world)
    with pytest.raises(ops.ReferralError, match="why"):
        ops.decline_referral(world.partner.user, referral, reason=" ")
    assert referral.status == "pending"
    ops.decline_referral(world.ngo_supervisor.user, referral, reason="No counsellor free")
    assert referral.status == "declined"
    assert referral.decline_reason == "No counsellor free"
    assert _notified(world.caseworker.user, "referral_declined") == 1


def test_revoke_pending_and_accepted(world: World) -> None:
    pending = refer(world)
    ops.revoke_referral(world.caseworker.user, pending)
    assert pending.status == "revoked"
    accepted = refer(world)
    ops.accept_referral(world.partner.user, accepted)
    ops.revoke_referral(world.supervisor.user, accepted)
    assert accepted.status == "revoked"
    assert not can(world.partner.user, Action.VIEW_CASE, world.case)
    assert _notified(world.partner.user, "referral_revoked") == 2


@pytest.mark.parametrize(
    ("setup", "action"),
    [
        (["accept"], "accept"),  # accepting twice
        (["decline"], "accept"),
        (["decline"], "complete"),  # completing a declined referral
        ([], "complete"),  # completing a pending one
        (["accept"], "decline"),
        (["accept", "complete"], "revoke"),
        (["accept", "complete"], "accept"),
        (["revoke"], "accept"),
        (["revoke"], "revoke"),
        (["decline"], "revoke"),
    ],
)
def test_forbidden_transitions_are_refused_and_change_nothing(world: World, setup, action) -> None:
    referral = refer(world)
    steps = {
        "accept": lambda: ops.accept_referral(world.partner.user, referral),
        "decline": lambda: ops.decline_referral(world.partner.user, referral, reason="Full"),
        "complete": lambda: ops.complete_referral(world.partner.user, referral),
        "revoke": lambda: ops.revoke_referral(world.caseworker.user, referral),
    }
    for step in setup:
        steps[step]()
    before = (referral.status, len(_actions(referral.id)))
    with pytest.raises(ops.TransitionRefused):
        steps[action]()
    assert (referral.status, len(_actions(referral.id))) == before


def test_other_agencies_cannot_act_on_a_referral(world: World) -> None:
    referral = refer(world)
    outsider = factories.make_user("partner", world.legal)
    for act in (
        lambda user: ops.accept_referral(user, referral),
        lambda user: ops.decline_referral(user, referral, reason="x"),
        lambda user: ops.complete_referral(user, referral),
        lambda user: ops.revoke_referral(user, referral),
    ):
        with pytest.raises(PermissionDenied):
            act(outsider.user)
    with pytest.raises(PermissionDenied):  # the sender does not answer its own referral
        ops.accept_referral(world.caseworker.user, referral)
    with pytest.raises(PermissionDenied):  # the receiver does not revoke
        ops.revoke_referral(world.partner.user, referral)
    assert referral.status == "pending"


# ---- expiry ----------------------------------------------------------------------------------


def _age(referral: Referral, days: int) -> None:
    referral.created_at = utcnow() - timedelta(days=days)
    db.session.flush()


def test_expiry_is_seen_at_once_and_recorded_by_the_command(world: World, app) -> None:
    referral = refer(world)
    _age(referral, app.config["REFERRAL_EXPIRY_DAYS"] - 1)
    assert expiry.effective_status(referral) == "pending"
    assert expiry.answer_overdue(referral), "urgent: 3 days to answer"
    _age(referral, app.config["REFERRAL_EXPIRY_DAYS"] + 1)
    assert expiry.effective_status(referral) == "expired"
    assert referral.status == "pending", "reading writes nothing"
    with pytest.raises(ops.TransitionRefused, match="expired"):
        ops.accept_referral(world.partner.user, referral)
    with pytest.raises(ops.TransitionRefused, match="expired"):
        ops.decline_referral(world.partner.user, referral, reason="late")
    db.session.commit()

    result: Result = app.test_cli_runner().invoke(args=["referrals", "expire"])
    assert result.exit_code == 0, result.output
    assert "1 referral(s) expired." in result.output
    db.session.expire_all()
    referral = db.session.get(Referral, referral.id)
    assert referral is not None
    assert (referral.status, referral.expired_at is not None) == ("expired", True)
    assert _notified(world.caseworker.user, "referral_expired") == 1
    assert "referral.expired" in _timeline(world)
    again = app.test_cli_runner().invoke(args=["referrals", "expire"])
    assert "No referral was due to expire." in again.output


def test_expiry_days_are_configurable(world: World, app, monkeypatch) -> None:
    referral = refer(world)
    _age(referral, 3)
    assert expiry.effective_status(referral) == "pending"
    monkeypatch.setitem(app.config, "REFERRAL_EXPIRY_DAYS", 2)
    assert expiry.effective_status(referral) == "expired"
    assert ops.expire_overdue_referrals() == 1


# ---- access ----------------------------------------------------------------------------------


def test_consent_withdrawal_suspends_access_at_once(world: World) -> None:
    referral = refer(world)
    ops.accept_referral(world.partner.user, referral)
    db.session.commit()
    partner = world.partner.user
    assert can(partner, Action.VIEW_CASE, world.case)
    assert can(partner, Action.RECORD_SERVICE, world.case)
    assert db.session.execute(visible_cases(partner)).scalars().all() == [world.case]
    [consent] = [c for c in world.case.consents if c.purpose == "sharing"]
    consent.withdrawn_at = utcnow()
    db.session.commit()
    assert referral.status == "accepted"
    assert not can(partner, Action.VIEW_CASE, world.case)
    assert not can(partner, Action.RECORD_SERVICE, world.case)
    assert world.case.shared_groups_for(world.ngo.id) == frozenset()
    assert db.session.execute(visible_cases(partner)).scalars().all() == []


def test_partner_keeps_own_records_after_access_ends(world: World) -> None:
    from casework.services.operations import create_service_record

    referral = refer(world)
    ops.accept_referral(world.partner.user, referral)
    record = create_service_record(
        world.partner.user,
        world.case,
        service_type="psychosocial_counselling",
        status="in_progress",
        notes="Canary counselling notes",
    )
    assert record.referral_id == referral.id
    ops.complete_referral(world.partner.user, referral)
    partner = world.partner.user
    assert not can(partner, Action.VIEW_CASE, world.case)
    assert can(partner, Action.VIEW_SERVICES, record)
    assert not can(partner, Action.EDIT_SERVICE, record), "read only once the referral ended"
    visible = db.session.execute(visible_service_records(partner)).scalars().all()
    assert visible == [record]
    assert db.session.execute(select(ServiceRecord)).scalars().all() == [record]
