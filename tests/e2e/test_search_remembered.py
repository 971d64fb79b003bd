"""Search as people remember, in a real browser at desktop and phone size (issue 16): "Hoa",
"kyaw", a Thai given name, a number typed the local way and a dd/mm/yyyy date each find the
case they should, and never another agency's case with the same name, number or date."""

from __future__ import annotations

import re

import pytest

from casework.core.extensions import db
from casework.policy import Role
from tests import factories

SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
SEARCHES = [
    ("Hoa", "hoa"),
    ("kyaw", "kyaw"),
    ("สมหญิง", "somying"),
    ("0812345678", "hoa"),
    ("31/12/1990", "somying"),
]


@pytest.mark.parametrize("size", list(SIZES))
def test_a_caseworker_finds_cases_as_remembered(signed_in, audit, size) -> None:
    ours, theirs = factories.make_agency(country="TH"), factories.make_agency(country="TH")
    page, account = signed_in(Role.CASEWORKER, agency=ours)
    page.set_viewport_size(SIZES[size])
    mine = {
        "hoa": factories.make_case(
            ours,
            assigned_to=account.user,
            full_name="Nguyễn Thị Hòa",
            phone="+66 81 234 5678",
        ),
        "kyaw": factories.make_case(ours, assigned_to=account.user, full_name="ကျော်ဇင်ဦး"),
        "somying": factories.make_case(
            ours,
            assigned_to=account.user,
            full_name="สมหญิง ใจดี",
            date_of_birth="1990-12-31",
        ),
    }
    others = [
        factories.make_case(
            theirs, full_name=name, phone="+66 81 234 5678", date_of_birth="1990-12-31"
        )
        for name in ("Hoa Nguyen", "Kyaw Zin", "สมหญิง ใจดี")
    ]
    db.session.commit()
    page.goto("/cases")
    for typed, wanted in SEARCHES:
        page.get_by_label("Search", exact=True).fill(typed)
        page.get_by_role("button", name="Search", exact=True).click()
        page.wait_for_load_state("load")
        shown = set(re.findall(r"[A-Z]{2}-\d{4}-\d{6}", page.locator("table").inner_text()))
        assert shown == {mine[wanted].reference}, typed
        assert not shown & {case.reference for case in others}
        assert "search" not in page.url or typed not in page.url  # a token, not the term
    audit(page, f"search found, {size}")
    page.get_by_label("Search", exact=True).fill("Zzyzx")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="No case matches “Zzyzx”").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    audit(page, f"search found nothing, {size}")
