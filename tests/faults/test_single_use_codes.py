"""One-time codes are single-use under concurrency (issue 12 item 3): the same TOTP code or
recovery code sent at the same moment by several sessions signs in once; parallel failures are
all counted. Threads call the real operations, each in its own session, on a SQLite file and
on PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from casework.auth import operations, totp
from casework.auth.models import RecoveryCode, User
from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.services import any_postgres_url, need, postgres_url

THREADS = 6


@pytest.fixture(params=["sqlite-file", "postgresql"])
def database_app(request, own_app, tmp_path: Path) -> Iterator[Flask]:
    if request.param == "sqlite-file":
        yield own_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/codes.sqlite3")
        return
    url = any_postgres_url()
    need(url is not None, "PostgreSQL not configured (TEST_DATABASE_URL or TEST_POSTGRES_URL)")
    application = own_app(SQLALCHEMY_DATABASE_URI=url)
    if url != postgres_url():  # a database of its own: made to the current models
        with application.app_context():
            db.drop_all()
            db.create_all()
    yield application
    with application.app_context():
        names = ", ".join(f'"{t.name}"' for t in reversed(db.metadata.sorted_tables))
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.session.commit()


def _user(application: Flask) -> tuple[uuid.UUID, str]:
    with application.app_context(), application.test_request_context():
        account = factories.make_user(Role.CASEWORKER)
        db.session.commit()
        return account.user.id, account.user.totp_secret or ""


def _at_once(application: Flask, user_id: uuid.UUID, act: Callable[[User], bool]) -> list[bool]:
    """Run `act` on the user in THREADS threads released together; their results."""
    results: list[bool] = []
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def run() -> None:
        with application.app_context(), application.test_request_context():
            try:
                user = db.session.get(User, user_id)
                assert user is not None
                start.wait()
                outcome = act(user)
                db.session.commit()
                results.append(outcome)
            except BaseException as error:
                failures.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    return results


def test_one_totp_code_signs_in_once(database_app: Flask) -> None:
    user_id, secret = _user(database_app)
    code = totp.current_code(secret)
    results = _at_once(database_app, user_id, lambda u: operations.check_second_factor(u, code))
    assert sorted(results) == [False] * (THREADS - 1) + [True]


def test_one_recovery_code_signs_in_once(database_app: Flask) -> None:
    user_id, _secret = _user(database_app)
    with database_app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        code = operations.replace_recovery_codes(user)[0]
        user.last_totp_step = None
        db.session.commit()
    results = _at_once(database_app, user_id, lambda u: operations.check_second_factor(u, code))
    assert results.count(True) == 1
    with database_app.app_context():
        used = db.session.scalars(
            db.select(RecoveryCode).where(
                RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_not(None)
            )
        ).all()
        assert len(used) == 1


def test_parallel_failures_are_all_counted(database_app: Flask) -> None:
    user_id, _secret = _user(database_app)
    results = _at_once(
        database_app, user_id, lambda u: operations.check_second_factor(u, "000000-bad")
    )
    assert results == [False] * THREADS
    with database_app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        assert user.failed_sign_ins == THREADS
