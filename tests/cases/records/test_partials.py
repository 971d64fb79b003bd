"""The panels the case page composes (context: case, groups, timeline), rendered for each
kind of viewer: the owning agency sees the actions it may take; a partner sees only the
documents a referral shares; an erased case shows "erased"."""

from __future__ import annotations

import io

from flask import Flask, render_template_string
from flask_login import login_user

from casework.cases.attachments import operations as attachments
from casework.cases.lifecycle.erasure import erase_case
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.policy import Role, visible_field_groups
from tests import factories
from tests.cases.records.conftest import World, png_bytes
from tests.security.helpers import markup_problems

# Each declared panel, where the case page would show it (casework/cases/panels.py).
PAGE = """{% for name in ["consents", "attachments", "assignment", "closure"] %}
<div id="part-{{ name }}">{% set panel = case_panel(name) %}
{% if panel.shown(current_user, case, groups) %}{% include panel.template %}{% endif %}
</div>{% endfor %}"""


def _render(app: Flask, user: object, case: object) -> str:
    with app.test_request_context("/"):
        login_user(user)
        html = render_template_string(
            PAGE, case=case, groups=visible_field_groups(user, case), timeline=[]
        )
    assert markup_problems(html) == []
    return html


def _part(html: str, name: str) -> str:
    start = html.index(f'<div id="part-{name}">')
    end = html.find('<div id="part-', start + 1)
    return html[start : end if end != -1 else len(html)]


def test_caseworker_sees_consents_files_and_may_request_closure(app: Flask, world: World) -> None:
    attachments.add_attachment(
        world.caseworker,
        world.case,
        kind="legal",
        filename="deed.png",
        stream=io.BytesIO(png_bytes()),
    )
    db.session.flush()
    html = _render(app, world.caseworker, world.case)
    consents = _part(html, "consents")
    assert "Registration and data processing" in consents
    assert f"/cases/{world.case.id}/consents/new" in consents
    assert "/withdraw" in consents
    assert "Attach signed form" in consents
    files = _part(html, "attachments")
    assert "deed.png" in files
    assert "/attachments/new" in files
    assert "/delete" in files
    assert "<section" not in _part(html, "assignment"), "the summary names the assignee"
    closure = _part(html, "closure")
    assert "/closure/request" in closure
    assert "/closure/decide" not in closure


def test_supervisor_decides_a_pending_closure_and_erases_a_closed_case(
    app: Flask, world: World
) -> None:
    case = world.case
    case.closure_requested_at = utcnow()
    case.closure_requested_by_id = world.caseworker.id
    case.closure_requested_status = "Closed"
    case.closure_reason = "goals_met"
    html = _render(app, world.supervisor, case)
    assert "/assign" in _part(html, "assignment")
    closure = _part(html, "closure")
    assert "Awaiting a supervisor" in closure
    assert "/closure/decide" in closure
    case.status, case.closed_at, case.closed_by_id = "Closed", utcnow(), world.supervisor.id
    closure = _part(_render(app, world.supervisor, case), "closure")
    assert "/reopen" in closure
    assert "/erase" in closure
    erase_case(world.supervisor, case, reason="supervisor_request")
    html = _render(app, world.supervisor, case)
    assert "Erased on" in _part(html, "closure")
    assert "the files of this case were destroyed" in _part(html, "attachments")
    assert "/withdraw" not in _part(html, "consents")


def test_partner_sees_shared_documents_only(app: Flask, world: World) -> None:
    partner = factories.make_user(Role.PARTNER, world.other).user
    attachments.add_attachment(
        world.caseworker,
        world.case,
        kind="legal",
        filename="deed.png",
        stream=io.BytesIO(png_bytes()),
    )
    referral = factories.make_referral(
        world.case, world.other, status="accepted", shared_groups=("trafficking_context",)
    )
    html = _render(app, partner, world.case)
    for name in ("consents", "attachments", "assignment", "closure"):
        assert "<section" not in _part(html, name), name
    referral.shared_groups = ["documents"]
    db.session.flush()
    html = _render(app, partner, world.case)
    files = _part(html, "attachments")
    assert "deed.png" in files
    assert "/attachments/new" not in files
    assert "/delete" not in files
    assert world.caseworker.name not in files, "no staff names for partners"
    for name in ("consents", "assignment", "closure"):
        assert "<section" not in _part(html, name), name


def test_the_case_page_includes_the_partials(world: World, login_as) -> None:
    """Through the real case page (blueprint `cases`), as each kind of viewer."""
    attachments.add_attachment(
        world.caseworker,
        world.case,
        kind="legal",
        filename="deed.png",
        stream=io.BytesIO(png_bytes()),
    )
    partner_agency = factories.make_agency("Sharing Partner", country="PH")
    factories.make_referral(
        world.case, partner_agency, status="accepted", shared_groups=("documents",)
    )
    db.session.commit()
    path = f"/cases/{world.case.id}"
    caseworker_page = world.as_caseworker().get(path).get_data(as_text=True)
    assert 'id="consents-heading"' in caseworker_page
    assert "deed.png" in caseworker_page
    assert f"{path}/closure/request" in caseworker_page
    supervisor_page = world.as_supervisor().get(path).get_data(as_text=True)
    assert f"{path}/assign" in supervisor_page
    partner, _ = login_as(Role.PARTNER, agency=partner_agency)
    partner_page = partner.get(path)
    assert partner_page.status_code == 200
    text = partner_page.get_data(as_text=True)
    assert "deed.png" in text
    assert 'id="consents-heading"' not in text
    assert "/closure/request" not in text
    assert markup_problems(text) == []

    case = world.reload()
    case.status, case.closed_at = "Closed", utcnow()
    erase_case(world.supervisor, case, reason="supervisor_request")
    db.session.commit()
    erased = world.as_supervisor().get(path)
    assert erased.status_code == 200
    body = erased.get_data(as_text=True)
    assert "Erased on" in body
    assert "Somsri Canary" not in body
    assert "Identifying data erased" in body, "the timeline names the erasure"
