"""A NUL character in a query or form value is refused as a bad request before any view runs
(PostgreSQL cannot hold it; the security scan found it as server errors on list pages)."""

from __future__ import annotations

import pytest

from casework.policy import Role
from tests.conftest import csrf_token


@pytest.mark.parametrize(
    "path",
    [
        "/admin/users?q=a%00b",
        "/admin/agencies?q=%00",
        "/admin/sign-ins?user=x%00",
        "/admin/audit?actor=%00&action=x",
        "/admin/users?q%00=x",
    ],
)
def test_nul_in_a_query_is_a_bad_request(login_as, path: str) -> None:
    client, _account = login_as(Role.ADMIN)
    response = client.get(path)
    assert response.status_code == 400
    assert "could not be understood" in response.get_data(as_text=True)


def test_nul_in_a_form_is_a_bad_request_and_changes_nothing(login_as) -> None:
    client, _account = login_as(Role.ADMIN)
    token = csrf_token(client, "/admin/agencies/new")
    response = client.post(
        "/admin/agencies/new",
        data={"name": "Shelter\x00Name", "org_type": "NGO", "country": "TH", "csrf_token": token},
    )
    assert response.status_code == 400
    from sqlalchemy import func, select

    from casework.agencies.models import Agency
    from casework.core.extensions import db

    assert db.session.scalar(select(func.count()).select_from(Agency)) == 1  # the admin's own
    assert client.get("/admin/users?q=plain").status_code == 200
