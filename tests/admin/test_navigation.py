"""The navigation marks exactly the section of the page shown (aria-current)."""

from __future__ import annotations

import re

import pytest

CURRENT = re.compile(r'<a class="nav-link active" href="([^"]+)" aria-current="page">')


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/", ["/"]),
        ("/admin/users", ["/admin/users"]),
        ("/admin/users/new", ["/admin/users"]),
        ("/admin/agencies", ["/admin/agencies"]),
        ("/admin/agencies/new", ["/admin/agencies"]),
        ("/admin/audit", ["/admin/audit"]),
    ],
)
def test_one_current_item(admin_client, path: str, current: list[str]) -> None:
    response = admin_client.get(path)
    assert response.status_code == 200
    assert CURRENT.findall(response.get_data(as_text=True)) == current
