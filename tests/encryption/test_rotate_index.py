"""`keys rotate-index`: a new blind-index key, every index recomputed, search still works
through the real case search page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from casework.agencies.models import Agency
from casework.auth.models import User
from casework.cases.models import IdentityDocument, Person
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.cases.helpers import search
from tests.conftest import build_app, sign_in_directly


@pytest.fixture
def own_app(tmp_path: Path) -> Iterator[Flask]:
    """An app with a key file of its own, so rotating it cannot disturb other tests."""
    application = build_app(str(tmp_path))
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()


def _indexes() -> dict[str, tuple[int | None, ...]]:
    db.session.expire_all()
    people = db.session.scalars(select(Person).order_by(Person.id)).all()
    documents = db.session.scalars(select(IdentityDocument).order_by(IdentityDocument.id)).all()
    return {
        "names": tuple(p.full_name_bidx for p in people),
        "births": tuple(p.date_of_birth_bidx for p in people),
        "phones": tuple(p.phone_bidx for p in people),
        "documents": tuple(d.number_bidx for d in documents),
    }


def _found(client, **query: str) -> list[str]:
    response = search(client, "/cases", query)
    assert response.status_code == 200
    return re.findall(r">([A-Z]{2}-\d{4}-\d{6})</a>", response.get_data(as_text=True))


def test_search_still_works_after_the_index_key_changes(own_app: Flask) -> None:
    agency = factories.make_agency(country="TH")
    worker = factories.make_user(Role.CASEWORKER, agency)
    lan = factories.make_case(
        agency,
        assigned_to=worker.user,
        full_name="Nguyễn Thị Lan",
        date_of_birth="2001-02-03",
        phone="+66 81 234 5678",
        documents=(("passport", "C1234567"),),
    )
    other = factories.make_case(
        agency,
        assigned_to=worker.user,
        full_name="Dara Chan",
        date_of_birth="1995-05-05",
        phone="+855 12 000 111",
        documents=(("national_id", "KH-99-1"),),
    )
    db.session.commit()
    references = (lan.reference, other.reference)
    worker_id, agency_id = worker.user.id, agency.id
    before = _indexes()
    key_file = Path(own_app.config["KEY_FILE"])
    index_key_before = json.loads(key_file.read_text()).get("index_key")

    result = own_app.test_cli_runner().invoke(args=["keys", "rotate-index", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "Recomputed" in result.output
    assert json.loads(key_file.read_text()).get("index_key") != index_key_before

    after = _indexes()
    for kind in before:
        assert all(value is not None for value in after[kind]), kind
        assert after[kind] != before[kind], f"{kind} indexes were not recomputed"

    # The command expunged the session: load what the test still needs.
    worker.user = db.session.get(User, worker_id)
    agency = db.session.get(Agency, agency_id)
    client = own_app.test_client()
    sign_in_directly(client, worker)
    assert _found(client, q="lan nguyen  THI") == [references[0]]
    assert _found(client, q="2001-02-03") == [references[0]]
    assert _found(client, q="+66812345678") == [references[0]]
    assert _found(client, q="c 123 4567", search_in="document") == [references[0]]
    assert _found(client, q="kh991", search_in="document") == [references[1]]
    assert _found(client, q="Chan Dara") == [references[1]]
    # A record written after the rotation is indexed under the new key and found too.
    late = factories.make_case(agency, assigned_to=worker.user, full_name="Late Person")
    db.session.commit()
    assert _found(client, q="late person") == [late.reference]
