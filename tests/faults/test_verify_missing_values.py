"""`backup verify` names a required encrypted value set to NULL on a live record (issue 13,
item 4: it passed a ciphertext set to NULL). Erased and crypto-shredded records have no values
by design and are not named."""

from __future__ import annotations

from sqlalchemy import update

from casework.cases.models import CaseNote, Person
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.encryption.models import DataKey
from casework.referrals.models import Referral
from tests import factories
from tests.faults.test_key_custody import ctx as ctx
from tests.faults.test_key_custody import keyed_app  # noqa: F401 - shared fixture
from tests.test_migrations import postgres_scratch_url  # noqa: F401 - shared fixture

MISSING = "Missing (NULL on a live record)"


def _verify(ctx) -> tuple[int, str]:
    result = ctx.test_cli_runner().invoke(args=["backup", "verify"])
    return result.exit_code, result.output


def test_verify_names_a_required_value_set_to_null(ctx) -> None:
    home = factories.make_agency("Home Agency", country="TH")
    other = factories.make_agency("Other Agency", country="KH")
    case = factories.make_case(home, full_name="Nguyen Thi Lan")
    note = CaseNote(category="uncategorised")
    case.notes.append(note)
    note.body = "A note"
    referral = factories.make_referral(case, other)
    shredded = factories.make_case(home, full_name="Shredded Person")
    db.session.commit()
    person_id, note_id, referral_id = case.person.id, note.id, referral.id  # type: ignore[union-attr]
    shredded_person_id, shredded_key = shredded.person.id, shredded.data_key_id  # type: ignore[union-attr]
    code, output = _verify(ctx)
    assert code == 0, output
    # Crypto-shredded (as erasure leaves it): values NULL by design, never named.
    db.session.execute(
        update(DataKey)
        .where(DataKey.id == shredded_key)
        .values(wrapped=None, destroyed_at=utcnow())
    )
    db.session.execute(
        update(Person).where(Person.id == shredded_person_id).values(full_name_ct=None)
    )
    # An optional value set to NULL is an ordinary empty field.
    db.session.execute(update(Person).where(Person.id == person_id).values(other_names_ct=None))
    db.session.commit()
    code, output = _verify(ctx)
    assert code == 0, output
    assert MISSING not in output

    db.session.execute(update(Person).where(Person.id == person_id).values(full_name_ct=None))
    db.session.execute(update(CaseNote).where(CaseNote.id == note_id).values(body_ct=None))
    db.session.execute(update(Referral).where(Referral.id == referral_id).values(reason_ct=None))
    db.session.commit()
    code, output = _verify(ctx)
    assert code == 1
    assert f"{MISSING}: people {person_id} full_name" in output
    assert f"{MISSING}: case_notes {note_id} body" in output
    assert f"{MISSING}: referrals {referral_id} reason" in output
    assert str(shredded_person_id) not in output
    assert "Nguyen" not in output
