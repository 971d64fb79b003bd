"""Registering a case through the form: consent first, validation, nothing lost, nothing crafted."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, text

from casework.audit.models import AuditEvent
from casework.cases.models import Case, Consent, TimelineEntry
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.cases.helpers import post_registration, register


def _count(model: type) -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count()).select_from(model)))


def test_register_creates_the_whole_record(login_as, agencies) -> None:
    client, account = login_as(Role.CASEWORKER, agency=agencies.a)
    case = register(client)
    assert re.fullmatch(r"TH-\d{4}-\d{6}", case.reference)
    assert case.agency_id == agencies.a.id
    assert case.assigned_to_id == case.created_by_id == account.user.id
    assert (case.status, case.risk_level, case.identification_channel) == (
        "Active",
        "high",
        "outreach",
    )
    assert (case.age_at_identification, case.age_band) == (25, "24-26")  # from the birth date
    assert case.person.full_name == "Nguyễn Thị Lan"
    assert case.person.date_of_birth == "2001-02-03"
    assert case.person.phone == "+66 81 234 5678"
    assert [(d.doc_type, d.issuing_country, d.number) for d in case.identity_documents] == [
        ("passport", "VN", "C1234567")
    ]
    assert case.codes_of("control_method") == ["DebtBondage", "WithholdsDocuments"]
    assert case.codes_of("exploitation_type") == ["ForcedLabour"]
    assert [(e.kind, e.country, e.description) for e in case.events] == [
        ("Recruitment", "VN", "Offered a job on a farm")
    ]
    [consent] = case.consents
    assert (consent.purpose, consent.method, consent.recorded_by_id) == (
        "registration",
        "signed_form",
        account.user.id,
    )
    kinds = {
        e.kind
        for e in db.session.scalars(select(TimelineEntry).where(TimelineEntry.case_id == case.id))
    }
    assert kinds == {"case.registered", "consent.recorded"}
    registered = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.registered")
    ).one()
    assert (registered.actor_id, registered.target_id) == (account.user.id, str(case.id))
    # The name is stored encrypted: not in the row as text.
    raw = db.session.execute(text("SELECT full_name_ct FROM people")).scalar_one()
    assert "Nguyễn".encode() not in raw


def test_no_registration_without_consent(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    for missing in ("consent_confirmed", "consent_method", "consent_given_on"):
        response = post_registration(client, **{missing: None})
        assert response.status_code == 422, missing
        assert _count(Case) == 0
    html = response.get_data(as_text=True)
    assert "Enter the date consent was given." in html
    assert _count(Consent) == 0


def _error_for(html: str, field_id: str) -> str:
    """The error message tied to a field (aria-describedby -> the error element)."""
    assert re.search(
        rf'id="{field_id}"[^>]*aria-describedby="[^"]*{field_id}-error', html
    ) or re.search(rf'aria-describedby="[^"]*{field_id}-error[^"]*"[^>]*id="{field_id}"', html), (
        f"{field_id} is not described by its error"
    )
    match = re.search(rf'id="{field_id}-error"[^>]*>([^<]*)<', html)
    assert match, f"no error shown for {field_id}"
    assert f'href="#{field_id}"' in html, f"the summary does not link to {field_id}"
    return match.group(1)


def test_validation_errors_sit_next_to_fields_and_keep_what_was_typed(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    tomorrow = (utcnow().date() + timedelta(days=1)).isoformat()
    response = post_registration(
        client,
        date_of_birth=tomorrow,
        identified_on=tomorrow,
        risk_level="apocalyptic",  # not in the vocabulary
        **{"documents-0-doc_type": ""},  # a number without its type
        other_names="x" * 501,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "future" in _error_for(html, "date_of_birth")
    assert "future" in _error_for(html, "identified_on")
    assert _error_for(html, "risk_level")
    assert _error_for(html, "documents-0-doc_type")
    assert _error_for(html, "other_names")
    assert "Nothing has been saved yet" in html
    # What was typed stays: the name, the document number, the chosen codes, the description.
    assert 'value="Nguyễn Thị Lan"' in html
    assert 'value="C1234567"' in html
    assert re.search(r'value="DebtBondage"[^>]*checked|checked[^>]*value="DebtBondage"', html)
    assert "Offered a job on a farm" in html
    assert _count(Case) == 0


def test_age_must_agree_with_date_of_birth_and_band(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    response = post_registration(client, age_at_identification="40")
    assert response.status_code == 422
    assert "gives an age of 25" in _error_for(
        response.get_data(as_text=True), "age_at_identification"
    )
    response = post_registration(
        client, date_of_birth="", age_at_identification="16", age_band="48+"
    )
    assert response.status_code == 422
    assert _error_for(response.get_data(as_text=True), "age_band")
    response = post_registration(client, age_when_trafficked="30")
    assert response.status_code == 422
    assert _error_for(response.get_data(as_text=True), "age_when_trafficked")
    case = register(
        client,
        date_of_birth="",
        age_at_identification="16",
        age_band="",
        consent_method="guardian",  # a minor consents through a guardian (issue 12, item 14)
    )
    assert (case.age_at_identification, case.age_band) == (16, "9-17")


def test_every_coded_field_is_checked_against_its_vocabulary(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    for field, value in [
        ("gender", "Robot"),
        ("citizenship-0", "XX"),
        ("education", "Hogwarts"),
        ("trafficking_status", "Maybe"),
        ("exploitation_type", ["ForcedLabour", "Invented"]),
        ("control_method", ["<script>"]),
        ("documents-0-doc_type", "library_card"),
        ("documents-0-issuing_country", "ZZ"),
        ("events-0-kind", "holiday"),
        ("identification_channel", "telepathy"),
        ("consent_method", "implied"),
        ("age_band", "100-200"),
    ]:
        response = post_registration(client, **{field: value})
        assert response.status_code == 422, field
        assert _error_for(response.get_data(as_text=True), field.replace("_", "_")), field
    assert _count(Case) == 0


def test_sizes_are_capped(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    for field, size in [
        ("full_name", 201),
        ("phone", 41),
        ("family_contacts", 1001),
        ("events-0-description", 2001),
        ("documents-0-number", 61),
    ]:
        response = post_registration(client, **{field: "7" * size})
        assert response.status_code == 422, field
        _error_for(response.get_data(as_text=True), field)
    # Rows beyond the limit are not even read.
    extra = {f"documents-{i}-doc_type": "other" for i in range(1, 30)}
    extra |= {f"documents-{i}-number": f"N{i}" for i in range(1, 30)}
    case = register(client, **extra)
    assert len(case.identity_documents) == 10


def test_crafted_fields_are_ignored(login_as, agencies) -> None:
    client, account = login_as(Role.CASEWORKER, agency=agencies.a)
    other_user = factories.make_user(Role.CASEWORKER, agencies.b).user
    db.session.commit()
    case = register(
        client,
        agency_id=str(agencies.b.id),
        owner=str(other_user.id),
        assigned_to_id=str(other_user.id),
        assigned_to=str(other_user.id),
        created_by_id=str(other_user.id),
        status="Closed",
        reference="KH-1999-999999",
        version="77",
        id="00000000-0000-0000-0000-000000000001",
        erased_at="2020-01-01",
        data_key_id="00000000-0000-0000-0000-000000000002",
    )
    assert case.agency_id == agencies.a.id
    assert case.assigned_to_id == case.created_by_id == account.user.id
    assert case.status == "Active"
    assert case.reference.startswith("TH-")
    assert str(case.id) != "00000000-0000-0000-0000-000000000001"
    assert case.erased_at is None


def test_the_form_is_sectioned_and_accessible(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    html = client.get("/cases/new").get_data(as_text=True)
    order = [
        html.index(f'id="section-{name}"')
        for name in ("consent", "person", "documents", "contact", "context", "events", "details")
    ]
    assert order == sorted(order), "sections follow the interview"
    for name in ("consent", "person", "documents", "contact", "context", "events", "details"):
        assert f'href="#section-{name}"' in html  # the section index
    assert html.count("<legend") >= 10
    assert '<label class="form-label" for="full_name">' in html
    assert 'name="csrf_token"' in html
    # A POST without the CSRF token is refused.
    response = client.post("/cases/new", data={"full_name": "x"})
    assert response.status_code == 400


# ---- issue 12, item 14: one rule for a minor's consent, at registration as on the consent form


def test_registration_refuses_a_minors_own_verbal_consent(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    seventeen = {"date_of_birth": "2008-06-01", "consent_given_on": "2026-03-14"}
    for method in ("verbal_witnessed", "signed_form"):
        response = post_registration(client, consent_method=method, **seventeen)
        assert response.status_code == 422, method
        assert "a guardian gives consent" in _error_for(
            response.get_data(as_text=True), "consent_method"
        )
    assert _count(Case) == 0
    case = register(client, consent_method="guardian", **seventeen)
    assert [c.method for c in case.consents] == ["guardian"]


def test_registration_refuses_guardian_consent_for_an_adult(login_as, agencies) -> None:
    client, _ = login_as(Role.CASEWORKER, agency=agencies.a)
    response = post_registration(client, consent_method="guardian")  # born 2001: an adult
    assert response.status_code == 422
    assert "was an adult on that date" in _error_for(
        response.get_data(as_text=True), "consent_method"
    )
    assert _count(Case) == 0


def test_both_paths_ask_the_same_rule(monkeypatch, login_as, agencies) -> None:
    """Registration and the consent form both call ages.check_consent_method."""
    from casework.cases import ages, operations
    from casework.cases.consents import operations as consents

    assert operations.check_consent_method is ages.check_consent_method
    assert consents.check_consent_method is ages.check_consent_method
