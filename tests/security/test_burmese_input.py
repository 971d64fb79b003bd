"""Burmese typed in Zawgyi reaches every view in Unicode; nothing else is touched."""

from __future__ import annotations

from sqlalchemy import select

from casework.agencies.models import Agency
from casework.core.burmese import has_burmese, is_zawgyi, to_unicode
from casework.core.extensions import db
from casework.policy import Role
from tests.conftest import csrf_token

# "ကျွန်တော်" ("I") typed on a Zawgyi keyboard, and the same word in Unicode.
ZAWGYI = "\u1000\u103a\u103c\u1014\u1039\u1031\u1010\u102c\u1039"
UNICODE = "\u1000\u103b\u103d\u1014\u103a\u1010\u1031\u102c\u103a"


def test_zawgyi_is_recognised_and_converted() -> None:
    assert is_zawgyi(ZAWGYI)
    assert to_unicode(ZAWGYI) == UNICODE
    assert to_unicode(f"Ko Aung {ZAWGYI}") == f"Ko Aung {UNICODE}"


def test_unicode_and_other_scripts_are_left_as_typed() -> None:
    assert not is_zawgyi(UNICODE)
    for text in (UNICODE, "Nguyễn Thị Hoa", "สมหญิง ใจดี", "សុខ ចាន់", "", "0812345678"):
        assert to_unicode(text) == text
    assert not has_burmese("Kyaw Kyaw")
    assert has_burmese(UNICODE)


def test_a_form_typed_in_zawgyi_is_stored_in_unicode(login_as) -> None:
    client, _admin = login_as(Role.ADMIN)
    token = csrf_token(client, "/admin/agencies/new")
    response = client.post(
        "/admin/agencies/new",
        data={"name": f"{ZAWGYI} Shelter", "org_type": "NGO", "country": "MM", "csrf_token": token},
    )
    assert response.status_code == 302
    names = db.session.execute(select(Agency.name)).scalars().all()
    assert f"{UNICODE} Shelter" in names
    assert f"{ZAWGYI} Shelter" not in names


def test_a_search_typed_in_zawgyi_is_read_in_unicode(login_as) -> None:
    client, _admin = login_as(Role.ADMIN)
    page = client.get("/admin/agencies", query_string={"q": ZAWGYI}).get_data(as_text=True)
    assert UNICODE in page
    assert ZAWGYI not in page
