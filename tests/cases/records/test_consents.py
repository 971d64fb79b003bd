"""Consents: separate dated records per purpose, who recorded them, how, and withdrawal that
takes effect at once."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.cases.ages import age_on
from casework.cases.attachments import operations as attachments
from casework.cases.consents import operations as consents
from casework.cases.errors import RecordError
from casework.cases.models import Attachment, Consent, TimelineEntry
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.cases.records.conftest import World, png_bytes, post_form, stored_files


def _consents(case_id: object) -> list[Consent]:
    db.session.expire_all()
    return list(
        db.session.execute(
            select(Consent).where(Consent.case_id == case_id).order_by(Consent.created_at)
        ).scalars()
    )


def test_caseworker_records_a_sharing_consent_naming_an_agency(world: World) -> None:
    client = world.as_caseworker()
    path = f"/cases/{world.case.id}/consents/new"
    page = client.get(path).get_data(as_text=True)
    assert "Other Agency" in page
    assert "Home Agency" not in page
    response = post_form(
        client,
        path,
        {
            "purpose": "sharing",
            "agency_id": str(world.other.id),
            "given_on": "2026-03-20",
            "method": "verbal_witnessed",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/cases/{world.case.id}")
    consent = _consents(world.case.id)[-1]
    assert (consent.purpose, consent.shared_with_agency_id, consent.given_on, consent.method) == (
        "sharing",
        world.other.id,
        date(2026, 3, 20),
        "verbal_witnessed",
    )
    assert consent.recorded_by_id == world.caseworker.id
    assert consent.is_current
    entry = db.session.execute(
        select(TimelineEntry).where(TimelineEntry.kind == "consent.recorded")
    ).scalar_one()
    assert (entry.actor_id, entry.detail, entry.target_id) == (
        world.caseworker.id,
        "sharing",
        str(consent.id),
    )
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "consent.recorded")
    ).scalar_one()
    assert (event.target_id, event.detail) == (str(consent.id), "sharing")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"purpose": "sharing", "method": "signed_form"}, "Choose the agency this consent names."),
        (
            {"purpose": "registration", "method": "signed_form", "agency_id": "AGENCY"},
            "Only consents to sharing or referral name an agency.",
        ),
        ({"purpose": "statistics", "method": "by_telepathy"}, "Not a valid choice"),
        ({"purpose": "gossip", "method": "signed_form"}, "Not a valid choice"),
        (
            {"purpose": "statistics", "method": "signed_form", "given_on": "FUTURE"},
            "The date cannot be in the future.",
        ),
        (
            {"purpose": "statistics", "method": "signed_form", "given_on": "2020-01-01"},
            "The date cannot be before the case was identified.",
        ),
        (
            {"purpose": "statistics", "method": "guardian"},
            "The person was an adult on that date",
        ),
        ({"purpose": "registration", "method": "signed_form"}, "A current consent for this"),
    ],
)
def test_invalid_consents_are_refused_next_to_the_field(
    world: World, data: dict[str, str], message: str
) -> None:
    data = {"given_on": "2026-03-20", **data}
    if data.get("agency_id") == "AGENCY":
        data["agency_id"] = str(world.other.id)
    if data["given_on"] == "FUTURE":
        data["given_on"] = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
    before = len(_consents(world.case.id))
    response = post_form(world.as_caseworker(), f"/cases/{world.case.id}/consents/new", data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body
    assert 'aria-invalid="true"' in body or "alert-danger" in body
    assert len(_consents(world.case.id)) == before


def test_a_minor_consents_through_a_guardian(world: World) -> None:
    minor = factories.make_case(
        world.home, assigned_to=world.caseworker, date_of_birth="2012-05-01", age=13
    )
    db.session.commit()
    path = f"/cases/{minor.id}/consents/new"
    client = world.as_caseworker()
    data = {"purpose": "registration", "given_on": "2026-03-20", "method": "signed_form"}
    refused = post_form(client, path, data)
    assert refused.status_code == 422
    assert "under 18" in refused.get_data(as_text=True)
    accepted = post_form(client, path, {**data, "method": "guardian"})
    assert accepted.status_code == 302
    assert [c.method for c in _consents(minor.id)] == ["guardian"]


def test_age_is_taken_on_the_day_of_consent() -> None:
    case = factories.make_case(date_of_birth="2008-06-10", identified_on=date(2026, 3, 1), age=17)
    assert age_on(case, date(2026, 6, 9)) == 17
    assert age_on(case, date(2026, 6, 10)) == 18
    case.person.date_of_birth = None
    assert age_on(case, date(2027, 3, 1)) == 18  # from the age at identification
    case.age_at_identification = None
    assert age_on(case, date(2027, 3, 1)) is None


def test_withdrawal_asks_for_confirmation_then_takes_effect(world: World) -> None:
    # Not the registration consent: withdrawing that one takes the case from its caseworker
    # (decision 0063, tests/referrals/test_consent_restriction.py).
    consent = factories.make_consent(world.case, "statistics")
    db.session.commit()
    client = world.as_caseworker()
    path = f"/cases/{world.case.id}/consents/{consent.id}/withdraw"
    page = client.get(path)
    assert page.status_code == 200
    assert "Withdraw the consent" in page.get_data(as_text=True)
    assert _consents(world.case.id)[-1].is_current, "a GET changes nothing"
    response = post_form(client, path)
    assert response.status_code == 302
    withdrawn = _consents(world.case.id)[-1]
    assert withdrawn.id == consent.id
    assert withdrawn.withdrawn_at is not None
    assert withdrawn.withdrawn_by_id == world.caseworker.id
    kinds = db.session.execute(select(TimelineEntry.kind)).scalars().all()
    assert "consent.withdrawn" in kinds
    again = post_form(client, path)
    assert again.status_code == 302  # already withdrawn: told, nothing changes
    assert _consents(world.case.id)[-1].withdrawn_at == withdrawn.withdrawn_at


def test_partner_access_ends_the_moment_the_sharing_consent_is_withdrawn(
    world: World, login_as
) -> None:
    """Through HTTP: the partner downloads a shared document, the owning agency withdraws the
    sharing consent, and the partner's very next request is refused (404)."""
    factories.make_referral(
        world.case, world.other, status="accepted", shared_groups=("documents",)
    )
    attachment = attachments.add_attachment(
        world.caseworker, world.case, kind="legal", filename="a.png", stream=io.BytesIO(png_bytes())
    )
    db.session.commit()
    partner, _account = login_as(Role.PARTNER, agency=world.other)
    download = f"/cases/{world.case.id}/attachments/{attachment.id}"
    assert partner.get(download).status_code == 200
    sharing = next(c for c in world.case.consents if c.purpose == "sharing")
    response = post_form(
        world.as_supervisor(), f"/cases/{world.case.id}/consents/{sharing.id}/withdraw"
    )
    assert response.status_code == 302
    assert partner.get(download).status_code == 404
    denial = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "access.denied")
    ).scalar_one()
    assert denial.actor_id == _account.user.id


def test_signed_form_attached_with_the_consent_and_later(world: World) -> None:
    client = world.as_caseworker()
    response = post_form(
        client,
        f"/cases/{world.case.id}/consents/new",
        {
            "purpose": "statistics",
            "given_on": "2026-03-20",
            "method": "signed_form",
            "signed_form": (io.BytesIO(png_bytes()), "form.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    consent = _consents(world.case.id)[-1]
    form = db.session.get(Attachment, consent.attachment_id)
    assert form is not None
    assert form.kind == "consent_form"
    assert form.filename == "form.png"

    registration = _consents(world.case.id)[0]
    path = f"/cases/{world.case.id}/consents/{registration.id}/form"
    bad = post_form(
        client,
        path,
        {"signed_form": (io.BytesIO(b"not a picture"), "form.png")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert "not accepted" in bad.get_data(as_text=True)
    good = post_form(
        client,
        path,
        {"signed_form": (io.BytesIO(png_bytes()), "scan.png")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    assert _consents(world.case.id)[0].attachment_id is not None
    assert len(stored_files(world.app)) == 2


def test_a_bad_signed_form_saves_neither_consent_nor_file(world: World) -> None:
    before = stored_files(world.app)
    response = post_form(
        world.as_caseworker(),
        f"/cases/{world.case.id}/consents/new",
        {
            "purpose": "statistics",
            "given_on": "2026-03-20",
            "method": "signed_form",
            "signed_form": (io.BytesIO(b"MZ\x90\x00 a program"), "form.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert len(_consents(world.case.id)) == 1
    assert stored_files(world.app) == before


def test_consents_are_refused_outside_the_case_team(world: World, login_as) -> None:
    path = f"/cases/{world.case.id}/consents/new"
    colleague, _ = login_as(Role.CASEWORKER, agency=world.home)  # not assigned
    elsewhere, _ = login_as(Role.SUPERVISOR, agency=world.other)
    for client in (colleague, elsewhere):
        assert client.get(path).status_code == 404
    other_case = factories.make_case(world.home, assigned_to=world.caseworker)
    foreign = factories.make_consent(other_case, "registration")
    db.session.commit()
    crossed = f"/cases/{world.case.id}/consents/{foreign.id}/withdraw"
    assert world.as_caseworker().get(crossed).status_code == 404


def test_operations_refuse_a_closed_or_erased_case(world: World) -> None:
    case = world.case
    case.status = "Closed"
    with pytest.raises(RecordError, match="closed"):
        consents.record_consent(
            world.caseworker,
            case,
            purpose="statistics",
            agency_id=None,
            given_on=date(2026, 3, 20),
            method="signed_form",
        )
    consents.withdraw_consent(world.caseworker, case, case.consents[0])  # still allowed
