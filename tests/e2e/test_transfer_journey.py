"""The transfer at return in a real browser (issue 14, decision 0091), each page audited
(screenshot + axe-core): a Bangkok caseworker transfers a Cambodian person's case to a Phnom
Penh agency; its supervisor accepts from the home page; the Bangkok caseworker then reads, on
the transfer's page, what Bangkok recorded."""

from __future__ import annotations

from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.e2e.conftest import sign_in_page


def test_transfer_at_return_in_the_browser(signed_in, audit) -> None:
    bangkok = factories.make_agency("Bangkok Shelter E2E", country="TH")
    phnom_penh = factories.make_agency("Phnom Penh Reintegration E2E", country="KH")
    receiver = factories.make_user(Role.SUPERVISOR, phnom_penh)
    db.session.commit()
    page, worker = signed_in(Role.CASEWORKER, agency=bangkok)
    case = factories.make_case(bangkok, assigned_to=worker.user, full_name="Sokha Browser")
    factories.make_consent(case, "sharing", agency=phnom_penh)
    db.session.commit()

    page.goto(f"/cases/{case.id}")
    page.get_by_role("link", name="Transfer the lead to another agency").first.click()
    audit(page, "propose a transfer")
    page.get_by_role("button", name="Propose the transfer").click()  # empty: errors shown
    audit(page, "propose a transfer, with errors")
    page.get_by_label("Agency that takes the lead").select_option(str(phnom_penh.id))
    page.get_by_label("Identity and contact details").check()
    page.get_by_label("Reason for the transfer").fill("Returns home on Friday")
    page.get_by_role("button", name="Propose the transfer").click()
    page.wait_for_url("**/transfers/*")
    audit(page, "transfer proposed")

    page.context.clear_cookies()
    sign_in_page(page, receiver)
    page.goto("/")
    page.get_by_role("link", name="Answer this transfer from Bangkok Shelter E2E").click()
    audit(page, "transfer to answer")
    page.get_by_role("button", name="Accept the transfer").click()
    page.wait_for_url("**/transfers/*")
    assert "Open the case" in page.content()
    page.get_by_role("link", name="Open the case").click()
    assert "Sokha Browser" in page.content()
    audit(page, "the case in its new agency")

    page.context.clear_cookies()
    sign_in_page(page, worker)
    page.goto("/transfers/")
    audit(page, "transfers list")
    page.get_by_role("link", name=case.reference).first.click()
    assert "What your agency recorded" in page.content()
    audit(page, "what Bangkok recorded")
    response = page.goto(f"/cases/{case.id}")
    assert response is not None
    assert response.status == 404
