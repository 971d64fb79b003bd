"""Encrypted model attributes, end to end through the ORM and the real keyring."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from casework.audit.models import AuditEvent
from casework.auth.models import User
from casework.core.extensions import db
from casework.encryption.fields import UnreadableRecord
from casework.encryption.models import DataKey
from casework.encryption.operations import shred_record
from tests import factories


def _reload(user_id: object) -> User:
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user is not None
    return user


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=st.text(max_size=2000))
def test_round_trip_any_unicode_text(value: str) -> None:
    account = factories.make_user()
    account.user.totp_secret = value
    db.session.commit()
    assert _reload(account.user.id).totp_secret == value
    db.session.rollback()


def test_plaintext_is_not_a_column_and_is_never_stored() -> None:
    account = factories.make_user()
    db.session.commit()
    assert "totp_secret" not in User.__table__.c
    raw = db.session.execute(
        select(User.__table__.c.totp_secret_ct).where(User.__table__.c.id == account.user.id)
    ).scalar_one()
    if isinstance(raw, memoryview):
        raw = raw.tobytes()
    assert account.secret.encode() not in raw


def test_the_same_value_twice_gives_different_ciphertexts() -> None:
    one, two = factories.make_user(), factories.make_user()
    one.user.totp_secret = two.user.totp_secret = "SAME VALUE"
    db.session.commit()
    first = _reload(one.user.id).totp_secret_ct
    one.user.totp_secret = "SAME VALUE"
    db.session.commit()
    assert _reload(one.user.id).totp_secret_ct != first
    assert first != _reload(two.user.id).totp_secret_ct


def _integrity_events() -> int:
    return len(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "crypto.integrity_failure")
        ).all()
    )


def test_ciphertext_moved_to_another_row_fails_with_an_audited_integrity_error() -> None:
    victim, other = factories.make_user(), factories.make_user()
    db.session.commit()
    stolen = _reload(victim.user.id).totp_secret_ct
    db.session.execute(update(User).where(User.id == other.user.id).values(totp_secret_ct=stolen))
    db.session.commit()
    with pytest.raises(UnreadableRecord):
        _ = _reload(other.user.id).totp_secret
    assert _integrity_events() == 1  # recorded (outside a request, in the current session)
    db.session.rollback()
    # Only that record is affected.
    assert _reload(victim.user.id).totp_secret == victim.secret


def test_an_unreadable_record_in_a_request_gives_a_clear_page_and_a_durable_event(
    client,
) -> None:
    victim, other = factories.make_user(), factories.make_user()
    db.session.commit()
    stolen = _reload(victim.user.id).totp_secret_ct
    db.session.execute(update(User).where(User.id == other.user.id).values(totp_secret_ct=stolen))
    db.session.commit()
    from tests.conftest import csrf_token

    token = csrf_token(client, "/sign-in")
    client.post(
        "/sign-in",
        data={"email": other.user.email, "password": other.password, "csrf_token": token},
    )
    token = csrf_token(client, "/sign-in/code")
    response = client.post("/sign-in/code", data={"code": "123456", "csrf_token": token})
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "cannot be read" in page
    assert victim.secret not in page
    db.session.expire_all()
    assert _integrity_events() == 1  # kept although the request rolled back
    assert _reload(victim.user.id).totp_secret == victim.secret


def test_ciphertext_moved_with_its_data_key_still_fails() -> None:
    """Copying both the ciphertext and the data key reference: the row id still differs."""
    victim, other = factories.make_user(), factories.make_user()
    db.session.commit()
    source = _reload(victim.user.id)
    db.session.execute(
        update(User)
        .where(User.id == other.user.id)
        .values(totp_secret_ct=source.totp_secret_ct, data_key_id=source.data_key_id)
    )
    db.session.commit()
    with pytest.raises(UnreadableRecord):
        _ = _reload(other.user.id).totp_secret


def test_moving_a_row_to_another_agency_behind_the_apps_back_fails() -> None:
    account = factories.make_user()
    elsewhere = factories.make_agency(country="KH")
    db.session.commit()
    db.session.execute(
        update(User).where(User.id == account.user.id).values(agency_id=elsewhere.id)
    )
    db.session.commit()
    with pytest.raises(UnreadableRecord):
        _ = _reload(account.user.id).totp_secret


def test_moving_a_record_through_the_app_reencrypts_it_for_the_new_agency() -> None:
    account = factories.make_user()
    elsewhere = factories.make_agency(country="KH")
    db.session.commit()
    user = _reload(account.user.id)
    old_ct = user.totp_secret_ct
    user.agency_id = elsewhere.id
    db.session.commit()
    user = _reload(account.user.id)
    assert user.totp_secret_ct != old_ct
    assert user.totp_secret == account.secret


def test_a_corrupted_ciphertext_breaks_that_record_only() -> None:
    broken, fine = factories.make_user(), factories.make_user()
    db.session.commit()
    ct = bytearray(_reload(broken.user.id).totp_secret_ct or b"")
    ct[-1] ^= 0x01
    db.session.execute(
        update(User).where(User.id == broken.user.id).values(totp_secret_ct=bytes(ct))
    )
    db.session.commit()
    with pytest.raises(UnreadableRecord) as caught:
        _ = _reload(broken.user.id).totp_secret
    assert broken.secret not in str(caught.value)
    db.session.rollback()
    assert _reload(fine.user.id).totp_secret == fine.secret


def test_each_owner_has_its_own_wrapped_data_key() -> None:
    one, two = factories.make_user(), factories.make_user()
    db.session.commit()
    assert _reload(one.user.id).data_key_id != _reload(two.user.id).data_key_id
    keys = db.session.scalars(select(DataKey)).all()
    assert len(keys) == 2
    assert all(k.wrapped and len(k.wrapped) > 32 for k in keys)


def test_shredding_makes_fields_unreadable_keeps_clear_columns_and_is_audited() -> None:
    account = factories.make_user()
    db.session.commit()
    user = _reload(account.user.id)
    ct_before = user.totp_secret_ct
    assert shred_record(user, actor=None, reason="test")
    db.session.commit()
    user = _reload(account.user.id)
    assert user.is_shredded
    assert user.totp_secret is None  # the ciphertext is there; nothing can open it
    assert user.totp_secret_ct == ct_before
    assert user.email
    assert user.role
    key = db.session.get(DataKey, user.data_key_id)
    assert key is not None
    assert key.wrapped is None
    assert key.destroyed_at is not None
    assert db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "crypto.shredded")
    ).one().target_id == str(user.id)
    assert not shred_record(user, actor=None, reason="test")  # idempotent


def test_a_shredded_record_never_gets_a_new_key() -> None:
    account = factories.make_user(enrolled=False)
    db.session.commit()
    user = _reload(account.user.id)
    assert user.data_key is None
    shred_record(user, actor=None, reason="test")
    db.session.commit()
    user = _reload(account.user.id)
    user.totp_secret = "new"
    from casework.crypto import ShreddedError

    with pytest.raises(ShreddedError):
        db.session.flush()
    db.session.rollback()


def test_a_field_left_out_of_the_insert_can_be_set_later_in_the_same_session() -> None:
    """A field never assigned before the INSERT has no loaded column: setting it afterwards
    must still reach the database (the record is flagged dirty, not silently skipped)."""
    from casework.cases.models import Person

    case = factories.make_case(full_name="Someone")  # no email: email_ct not in the INSERT
    case.person.email = "late@example.org"
    db.session.commit()
    db.session.expire_all()
    person = db.session.scalars(select(Person).where(Person.case_id == case.id)).one()
    assert person.email == "late@example.org"
