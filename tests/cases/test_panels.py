"""The case page composes its declared panels, in order, each shown to whom its rule says;
template helpers are all registered in one place."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from casework import ROOT
from casework.cases.panels import declared
from casework.core.extensions import db
from casework.policy import Role
from casework.web.templating import register
from tests import factories
from tests.conftest import sign_in_directly

# The headings of the main column's panels, in the declared order.
HEADINGS = [
    ("summary", "Summary"),
    ("assignment", "Assignment"),
    ("closure", "Closure"),
    ("person", "The person"),
    ("context", "Trafficking context"),
    ("notes", "Notes"),
    ("consents", "Consents"),
    ("attachments", "Files"),
    ("referrals", "Referrals"),
    ("transfers", "Transfers"),
    ("services", "Support and services"),
    ("support_plan", "Support plan"),
    ("links", "Linked cases"),
]


def test_every_declared_panel_has_a_template_and_a_place(app: Flask) -> None:
    with app.app_context():
        panels = declared()
        for panel in panels:
            app.jinja_env.get_template(panel.template)  # raises if missing
        main = [p.name for p in panels if p.column == "main"]
        assert main == [name for name, _heading in HEADINGS]
        assert [p.name for p in panels if p.column == "side"] == ["timeline"]


def test_the_case_page_includes_no_optional_template() -> None:
    page = (ROOT / "templates" / "cases" / "view.html").read_text()
    assert "ignore missing" not in page
    assert "case_panels(case, groups)" in page


def _headings(html: str) -> list[str]:
    return re.findall(r"<h2[^>]*>([^<]+)</h2>", html)


def test_the_owners_see_every_panel_in_order(app: Flask) -> None:
    supervisor = factories.make_user(Role.SUPERVISOR)
    case = factories.make_case(supervisor.user.agency)
    factories.make_consent(case)
    db.session.commit()
    client = app.test_client()
    sign_in_directly(client, supervisor)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    shown = _headings(html)
    expected = [heading for _name, heading in HEADINGS]
    assert [h for h in shown if h in expected] == expected
    assert shown.index("Timeline") > shown.index("Support and services")


def test_a_partner_sees_only_the_panels_its_referral_opens(app: Flask) -> None:
    home = factories.make_agency()
    partner_agency = factories.make_agency()
    partner = factories.make_user(Role.PARTNER, partner_agency)
    case = factories.make_case(home)
    factories.make_consent(case)
    factories.make_referral(case, partner_agency, status="accepted")
    db.session.commit()
    client = app.test_client()
    sign_in_directly(client, partner)
    shown = _headings(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert "Summary" in shown
    assert "Trafficking context" in shown  # the referral shares it
    for hidden in ("Assignment", "Closure", "The person", "Notes", "Consents", "Files"):
        assert hidden not in shown, hidden


def test_a_template_helper_declared_twice_is_refused() -> None:
    app = Flask("probe")
    with pytest.raises(RuntimeError, match="declared twice"):
        register(app, globals_=[{"label": str}, {"label": repr}])


def test_template_helpers_are_registered_only_through_the_web_layer() -> None:
    """One mechanism: no blueprint decorator, context processor or direct jinja_env write
    outside casework/web/templating.py."""
    mechanisms = re.compile(
        r"app_template_global|app_template_filter|template_global\(|template_filter\("
        r"|context_processor|jinja_env\.(globals|filters)|record_once"
    )
    found = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "casework").rglob("*.py")
        if mechanisms.search(path.read_text()) and path.name != "templating.py"
    ]
    assert found == []
