"""Every form that keeps drafts (drafts/forms.py: DRAFT_FORMS) takes one from the page that
shows it, names its case on the dashboard, and drops it once the form is saved."""

from __future__ import annotations

from sqlalchemy import func, select

from casework.core.extensions import db
from casework.drafts.forms import DRAFT_FORMS
from casework.drafts.models import FormDraft
from casework.policy import Role
from casework.services import operations as service_ops
from tests import factories
from tests.conftest import csrf_token
from tests.drafts.helpers import find, save


def _count() -> int:
    db.session.expire_all()
    return int(db.session.execute(select(func.count(FormDraft.id))).scalar_one())


def test_each_draft_form_keeps_a_draft_named_on_the_dashboard(login_as) -> None:
    client, account = login_as(Role.CASEWORKER)
    case = factories.make_case(account.user.agency, assigned_to=account.user)
    record = service_ops.create_service_record(
        account.user, case, service_type="psychosocial_counselling", status="in_progress"
    )
    db.session.commit()
    forms = {
        "cases.new_case": ("/cases/new", "/cases/new"),
        "cases.edit_case": (f"/cases/{case.id}/edit", f"/cases/{case.id}/edit"),
        "cases.add_note": (f"/cases/{case.id}/notes", f"/cases/{case.id}"),
        "services.new_session": (
            f"/services/{record.id}/sessions/new",
            f"/services/{record.id}/sessions/new",
        ),
    }
    assert set(forms) == set(DRAFT_FORMS)
    for endpoint, (form, page) in forms.items():
        assert save(client, form, {"x": ["typed"]}, page=page).status_code == 200, endpoint
        assert find(client, form).get_json()["values"] == {"x": ["typed"]}
        html = client.get(page).get_data(as_text=True)
        assert "data-draft" in html, f"{endpoint}'s form is not marked data-draft"
    home = client.get("/").get_data(as_text=True)
    for label in DRAFT_FORMS.values():
        assert str(label) in home
    assert home.count(case.reference) >= 3  # edit, note and session name the case


def test_a_saved_note_drops_its_draft(login_as) -> None:
    client, account = login_as(Role.CASEWORKER)
    case = factories.make_case(account.user.agency, assigned_to=account.user)
    db.session.commit()
    save(client, f"/cases/{case.id}/notes", {"body": ["typed"]}, page=f"/cases/{case.id}")
    assert _count() == 1
    token = csrf_token(client, f"/cases/{case.id}")
    answer = client.post(
        f"/cases/{case.id}/notes",
        data={"body": "A note", "category": "case_management", "csrf_token": token},
    )
    assert answer.status_code == 302
    assert _count() == 0
