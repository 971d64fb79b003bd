"""Drafts of forms (issue 16, decision 0110): kept as typed, encrypted, their author's alone,
offered again, discarded when the form is saved or after the configured time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from casework.audit.models import AuditEvent
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.drafts.models import FormDraft
from casework.encryption.models import DataKey
from casework.jobs.api import start_job
from casework.jobs.models import Job
from casework.policy import Role
from tests import factories
from tests.cases.helpers import post_registration
from tests.conftest import csrf_token
from tests.drafts.helpers import find, save

TYPED = {"full_name": ["Zqdraft Somchai"], "phone": ["+66 81 234 5678"], "consent_given": ["y"]}


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


def test_a_draft_is_kept_encrypted_and_offered_to_its_author(login_as) -> None:
    client, account = login_as(Role.CASEWORKER)
    answer = save(client, "/cases/new", TYPED | {"csrf_token": ["x"], "submission": ["y"]})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    db.session.expire_all()
    draft = db.session.execute(select(FormDraft)).scalar_one()
    assert (draft.author_id, draft.agency_id) == (account.user.id, account.user.agency_id)
    assert (draft.endpoint, draft.form_key, draft.page) == (
        "cases.new_case",
        "/cases/new",
        "/cases/new",
    )
    assert draft.values_ct is not None
    assert b"Zqdraft" not in draft.values_ct
    assert draft.data_key_id is not None
    found = find(client, "/cases/new")
    assert found.status_code == 200
    assert found.headers["Cache-Control"] == "no-store"
    assert found.get_json()["values"] == TYPED  # the one-time tokens are never kept
    created = _events("form_draft.created")
    assert [(e.target_id, e.detail) for e in created] == [(str(draft.id), "cases.new_case")]


def test_a_later_save_replaces_the_values_and_is_not_audited_again(login_as) -> None:
    client, _account = login_as(Role.CASEWORKER)
    save(client, "/cases/new", TYPED)
    save(client, "/cases/new", {"full_name": ["Zqdraft Somchai Jaidee"]})
    db.session.expire_all()
    assert db.session.execute(select(func.count(FormDraft.id))).scalar_one() == 1
    assert find(client, "/cases/new").get_json()["values"] == {
        "full_name": ["Zqdraft Somchai Jaidee"]
    }
    assert len(_events("form_draft.created")) == 1


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CASEWORKER])
def test_no_one_else_reads_or_discards_a_draft(login_as, role: Role) -> None:
    author_client, author = login_as(Role.CASEWORKER)
    save(author_client, "/cases/new", TYPED)
    db.session.expire_all()
    draft = db.session.execute(select(FormDraft)).scalar_one()
    other_client, _other = login_as(role, agency=author.user.agency)
    assert find(other_client, "/cases/new").get_json() == {}
    token = csrf_token(other_client, "/")
    answer = other_client.post(f"/drafts/{draft.id}/discard", data={"csrf_token": token})
    assert answer.status_code == 404
    db.session.expire_all()
    assert db.session.get(FormDraft, draft.id) is not None
    assert "Zqdraft" not in other_client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
def test_roles_that_fill_no_case_form_keep_no_drafts(login_as, role: Role) -> None:
    client, _account = login_as(role)
    assert save(client, "/cases/new", TYPED).status_code == 404


@pytest.mark.parametrize(
    ("form", "page"),
    [
        ("/cases", "/cases"),  # not a form that keeps drafts
        ("https://evil.example/cases/new", "/cases/new"),
        ("//evil.example/cases/new", "/cases/new"),
        ("/cases/new", "https://evil.example/"),
        ("/cases/new?x=1", "/cases/new"),
        ("/no/such/page", "/cases/new"),
    ],
)
def test_only_draft_forms_of_this_site(login_as, form: str, page: str) -> None:
    client, _account = login_as(Role.CASEWORKER)
    assert save(client, form, TYPED, page=page).status_code == 422
    assert db.session.execute(select(func.count(FormDraft.id))).scalar_one() == 0


def test_a_draft_of_a_wrong_shape_or_size_is_refused(login_as) -> None:
    client, _account = login_as(Role.CASEWORKER)
    assert save(client, "/cases/new", {"full_name": [1]}).status_code == 422
    assert save(client, "/cases/new", ["full_name"]).status_code == 422  # type: ignore[arg-type]
    assert save(client, "/cases/new", {"notes": ["x" * 20_001]}).status_code == 422
    token = csrf_token(client, "/")
    answer = client.post(
        "/drafts", json={"form": "/cases/new", "page": "/cases/new", "values": TYPED}
    )
    assert answer.status_code == 400  # no CSRF token
    assert token


def test_saving_the_form_discards_its_draft(login_as) -> None:
    client, account = login_as(Role.CASEWORKER)
    user_id = account.user.id
    save(client, "/cases/new", TYPED)
    db.session.expire_all()
    draft = db.session.execute(select(FormDraft)).scalar_one()
    key_id = draft.data_key_id
    assert post_registration(client).status_code == 302
    db.session.expunge_all()
    assert db.session.get(FormDraft, draft.id) is None
    assert db.session.get(DataKey, key_id) is None  # its data key destroyed with it
    discarded = _events("form_draft.discarded")
    assert [(e.target_id, e.detail, e.actor_id) for e in discarded] == [
        (str(draft.id), "saved", user_id)
    ]


def test_a_form_refused_by_validation_keeps_its_draft(login_as) -> None:
    client, _account = login_as(Role.CASEWORKER)
    save(client, "/cases/new", TYPED)
    assert post_registration(client, full_name="").status_code == 422
    db.session.expire_all()
    assert db.session.execute(select(func.count(FormDraft.id))).scalar_one() == 1


def test_the_author_discards_a_draft_from_the_dashboard(login_as) -> None:
    client, _account = login_as(Role.CASEWORKER)
    save(client, "/cases/new", TYPED)
    page = client.get("/").get_data(as_text=True)
    assert "Your drafts" in page
    assert "Registration of a case" in page
    assert "Zqdraft" not in page  # what form and when, never what was typed
    db.session.expire_all()
    draft = db.session.execute(select(FormDraft)).scalar_one()
    token = csrf_token(client, "/")
    answer = client.post(f"/drafts/{draft.id}/discard", data={"csrf_token": token})
    assert answer.status_code == 303
    db.session.expunge_all()
    assert db.session.get(FormDraft, draft.id) is None
    assert "Your drafts" not in client.get("/").get_data(as_text=True)


def test_the_dashboard_names_the_case_only_while_the_author_may_open_it(login_as) -> None:
    client, account = login_as(Role.CASEWORKER)
    case = factories.make_case(account.user.agency, assigned_to=account.user)
    db.session.commit()
    assert (
        save(
            client, f"/cases/{case.id}/notes", {"body": ["x"]}, page=f"/cases/{case.id}"
        ).status_code
        == 200
    )
    assert case.reference in client.get("/").get_data(as_text=True)
    case.assigned_to_id = None
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Note on a case" in page
    assert case.reference not in page


def test_drafts_past_the_keeping_time_are_not_offered_and_the_job_discards_them(
    app: Flask, login_as
) -> None:
    client, _account = login_as(Role.CASEWORKER)
    save(client, "/cases/new", TYPED)
    save(client, f"/cases/{'0' * 8}-0000-0000-0000-{'0' * 12}/edit", {"phone": ["1"]})
    db.session.expire_all()
    drafts = list(db.session.execute(select(FormDraft)).scalars())
    assert len(drafts) == 2
    old = drafts[0]
    old_id = old.id
    old.saved_at = utcnow() - timedelta(hours=app.config["DRAFT_RETENTION_HOURS"], minutes=1)
    db.session.commit()
    assert find(client, old.form_key).get_json() == {}
    kept_id = drafts[1].id
    job_id = start_job("drafts.discard_expired").id
    db.session.commit()  # eager mode: runs after the commit
    db.session.expunge_all()
    assert db.session.get(FormDraft, old_id) is None
    assert db.session.get(FormDraft, kept_id) is not None
    assert db.session.get(Job, job_id).result == {"drafts_discarded": 1}
    assert [(e.target_id, e.detail) for e in _events("form_draft.discarded")] == [
        (str(old_id), "expired")
    ]


def test_the_keeping_time_is_checked_at_start(tmp_path) -> None:
    from config import ConfigError, check_settings

    with pytest.raises(ConfigError, match="DRAFT_RETENTION_HOURS"):
        check_settings({"DRAFT_RETENTION_HOURS": 0})
    with pytest.raises(ConfigError, match="IDLE_WARNING_MINUTES"):
        check_settings({"IDLE_WARNING_MINUTES": 0})
    check_settings({"DRAFT_RETENTION_HOURS": 24, "IDLE_WARNING_MINUTES": 3})
