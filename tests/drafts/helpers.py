from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.conftest import csrf_token


def save(client: FlaskClient, form: str, values: dict[str, Any], page: str | None = None) -> Any:
    """What drafts.js sends: the form's path, the page's path, the fields; CSRF as a header."""
    token = csrf_token(client, "/")
    return client.post(
        "/drafts",
        json={"form": form, "page": page or form, "values": values},
        headers={"X-CSRFToken": token},
    )


def find(client: FlaskClient, form: str) -> Any:
    return client.get("/drafts/find", query_string={"form": form})
