"""One corrupted record never blocks a rotation (issue 13, item 3): it is skipped, named (ids
only) and reported with a non-zero exit; everything else is rotated.

The audit: rotate and rotate-index crashed at the same record on every re-run, without naming
it; 15,023 data keys stayed under the old key.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select, update

from casework.auth.models import User
from casework.cases import queries
from casework.cases.models import Person
from casework.core.extensions import db
from casework.encryption.models import DataKey
from casework.policy import Role
from tests import factories
from tests.faults.test_key_custody import ctx as ctx
from tests.faults.test_key_custody import keyed_app  # noqa: F401 - shared fixture
from tests.test_migrations import postgres_scratch_url  # noqa: F401 - shared fixture


def _flip(raw: bytes) -> bytes:
    damaged = bytearray(raw)
    damaged[-1] ^= 1
    return bytes(damaged)


def test_a_damaged_record_is_skipped_named_and_reported(ctx) -> None:
    agency = factories.make_agency()
    supervisor_id = factories.make_user(Role.SUPERVISOR, agency).user.id
    cases = [factories.make_case(agency, full_name=f"Somchai Number{n}") for n in range(6)]
    db.session.commit()
    bad_key = cases[0].data_key_id
    bad_person = cases[1].person
    assert bad_person is not None
    bad_person_id = bad_person.id
    case_ids = [case.id for case in cases]
    db.session.execute(
        update(DataKey)
        .where(DataKey.id == bad_key)
        .values(wrapped=_flip(db.session.get_one(DataKey, bad_key).wrapped))
    )
    db.session.execute(
        update(Person)
        .where(Person.id == bad_person_id)
        .values(full_name_ct=_flip(bad_person.full_name_ct))  # type: ignore[attr-defined]
    )
    db.session.commit()
    runner = ctx.test_cli_runner()

    result = runner.invoke(args=["keys", "rotate", "--no-progress"])
    assert result.exit_code == 1
    assert f"Skipped (cannot be read): data_keys {bad_key}" in result.output
    assert "1 record(s) could not be read and were skipped" in result.output
    assert "Traceback" not in result.output
    active = json.loads(Path(ctx.config["KEY_FILE"]).read_text())["active"]
    db.session.expire_all()
    behind = db.session.scalars(
        select(DataKey.id).where(DataKey.wrapped.is_not(None), DataKey.kek_id != active)
    ).all()
    assert behind == [bad_key], "everything else is under the new key"
    # Re-run: the same record is named again, nothing else to do, no crash.
    again = runner.invoke(args=["keys", "rotate", "--no-progress"])
    assert again.exit_code == 1
    assert f"data_keys {bad_key}" in again.output

    result = runner.invoke(args=["keys", "rotate-index", "--no-progress"])
    assert result.exit_code == 1
    assert f"Skipped (cannot be read): people {bad_person_id} full_name" in result.output
    assert "Traceback" not in result.output
    # Everyone else is findable under the new index key (cases[0]'s key cannot be opened).
    db.session.expire_all()
    supervisor = db.session.get_one(User, supervisor_id)
    for n in range(2, 6):
        found = queries.search(supervisor, f"Somchai Number{n}", "name")
        assert case_ids[n] in found, n
    assert db.session.scalar(select(func.count()).select_from(Person)) == 6
