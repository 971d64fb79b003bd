"""Issue 12, item 9: withdrawing the consent to registration and data processing restricts
the case (decision 0063): no new sharing, no matching, pending referrals revoked, the case
open only to its agency's supervisors until it is erased or the consent is given again."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from casework.cases.consents import operations as consents
from casework.cases.models import Case, Consent
from casework.cases.scopes import processing_restricted, visible_cases
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.policy import Action, ReferralDraft, can
from casework.referrals import operations as ops
from casework.referrals.scopes import visible_referrals
from tests import factories
from tests.conftest import csrf_token, sign_in
from tests.referrals.conftest import World, refer


def _registered(world: World) -> Consent:
    consent = factories.make_consent(world.case, "registration")
    db.session.commit()
    return consent


def _withdraw(world: World, consent: Consent) -> None:
    consents.withdraw_consent(world.caseworker.user, world.case, consent)
    db.session.commit()


def _visible(actor: object) -> set[object]:
    return set(db.session.scalars(visible_cases(actor).with_only_columns(Case.id)))  # type: ignore[arg-type]


def test_withdrawal_revokes_pending_referrals_and_restricts_the_case(world: World) -> None:
    consent = _registered(world)
    pending = refer(world)
    db.session.commit()
    _withdraw(world, consent)
    assert pending.status == "revoked"
    assert pending.revoked_at is not None
    assert world.case.processing_restricted
    with_sql = db.session.scalars(select(Case.id).where(processing_restricted())).all()
    assert with_sql == [world.case.id]
    # Only the agency's supervisors.
    assert not can(world.caseworker.user, Action.VIEW_CASE, world.case)
    assert world.case.id not in _visible(world.caseworker.user)
    assert not db.session.scalars(visible_referrals(world.caseworker.user)).all()
    assert can(world.supervisor.user, Action.VIEW_CASE, world.case)
    assert world.case.id in _visible(world.supervisor.user)
    # No new sharing, even with the sharing consent for the NGO standing.
    assert not can(world.supervisor.user, Action.CREATE_REFERRAL, world.case)
    assert not can(
        world.supervisor.user, Action.SEND_REFERRAL, ReferralDraft(world.case, world.ngo.id)
    )


def test_an_accepted_referral_gives_no_access_until_the_consent_is_given_again(
    world: World,
) -> None:
    consent = _registered(world)
    referral = refer(world)
    ops.accept_referral(world.partner.user, referral)
    db.session.commit()
    assert can(world.partner.user, Action.VIEW_CASE, world.case)
    _withdraw(world, consent)
    for user in (world.partner.user, world.ngo_supervisor.user):
        assert not can(user, Action.VIEW_CASE, world.case)
        assert world.case.id not in _visible(user)
        assert not can(user, Action.VIEW_REFERRAL_REASON, referral)
    consents.record_consent(
        world.supervisor.user,
        world.case,
        purpose="registration",
        agency_id=None,
        given_on=utcnow().date(),
        method="signed_form",
    )
    db.session.commit()
    assert not world.case.processing_restricted
    assert can(world.partner.user, Action.VIEW_CASE, world.case)
    assert can(world.caseworker.user, Action.VIEW_CASE, world.case)


def test_in_the_app_the_caseworker_and_partner_lose_the_case_the_supervisor_keeps_it(
    world: World, app: Flask
) -> None:
    consent = _registered(world)
    referral = refer(world)
    ops.accept_referral(world.partner.user, referral)
    db.session.commit()
    case_page = f"/cases/{world.case.id}"
    caseworker = app.test_client()
    sign_in(caseworker, world.caseworker)
    path = f"{case_page}/consents/{consent.id}/withdraw"
    assert "consent to registration and data processing" in caseworker.get(path).get_data(
        as_text=True
    )
    response = caseworker.post(path, data={"csrf_token": csrf_token(caseworker, path)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/cases")
    assert caseworker.get(case_page).status_code == 404
    partner = app.test_client()
    sign_in(partner, world.partner)
    assert partner.get(case_page).status_code == 404
    supervisor = app.test_client()
    sign_in(supervisor, world.supervisor)
    page = supervisor.get(case_page)
    assert page.status_code == 200
    assert "Restricted: the person withdrew" in page.get_data(as_text=True)
    assert supervisor.get(f"/referrals/new/{world.case.id}").status_code == 404
