"""Sign-in: first sign-in with a one-time password, the second factor, lockout, throttling,
password rules and hashing."""

from __future__ import annotations

import re
import time

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from flask import Flask

from casework.auth import operations, passwords, totp
from casework.auth.models import RecoveryCode, User
from casework.core.extensions import db
from casework.policy import Role
from config import ConfigError, load_config
from tests import factories
from tests.conftest import csrf_token, sign_in
from tests.security.helpers import (
    events,
    is_sign_in_redirect,
    location_path,
    markup_problems,
    non_public,
    normalise,
    post_code,
    post_password,
)

FAILED = "The email or password is not right, or the account cannot sign in now."
ONE_TIME_PASSWORD = "temporary orchid harbour 5521"
NEW_PASSPHRASE = "lantern meadow copper violin"
RECOVERY_CODE = re.compile(r"<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</li>")
SECRET_TEXT = re.compile(r'<code[^>]*id="totp-secret"[^>]*>([A-Z2-7 ]+)</code>')


def _user(account: factories.Account) -> User:
    db.session.expire_all()
    user = db.session.get(User, account.user.id)
    assert user is not None
    return user


def _wrong_code(secret: str) -> str:
    """A well-formed code that no step near now accepts."""
    valid = {totp.current_code(secret, now=time.time() + d * totp.INTERVAL) for d in (-1, 0, 1)}
    return next(c for c in ("123456", "654321", "111111") if c not in valid)


def _change_password(client, current: str, new: str, confirm: str | None = None):
    token = csrf_token(client, "/account/password")
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
            "csrf_token": token,
        },
    )


# ---- the first sign-in -----------------------------------------------------------------------


def test_first_sign_in_enrols_shows_codes_once_and_forces_a_new_password(app: Flask, client):
    account = factories.make_user(
        Role.CASEWORKER, password=ONE_TIME_PASSWORD, enrolled=False, must_change_password=True
    )
    db.session.commit()

    response = post_password(client, account.user.email, ONE_TIME_PASSWORD)
    assert response.status_code == 302
    assert location_path(response) == "/sign-in/enrol"

    page = client.get("/sign-in/enrol")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r"<svg[^>]*>", html), "the QR code is inline SVG"
    assert "<img" not in html
    assert markup_problems(html) == []
    shown = SECRET_TEXT.search(html)
    assert shown, "the secret is shown as text for typing in"
    secret = shown.group(1).replace(" ", "")
    assert secret == _user(account).totp_secret
    assert len(secret) >= 32

    # Half-way (password only): nothing else is reachable.
    for endpoint in non_public(app, "GET"):
        assert is_sign_in_redirect(client.get(endpoint.path)), endpoint

    response = post_code(client, _wrong_code(secret), "/sign-in/enrol")
    assert response.status_code == 200
    assert RECOVERY_CODE.findall(response.get_data(as_text=True)) == []

    response = post_code(client, totp.current_code(secret), "/sign-in/enrol")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    codes = RECOVERY_CODE.findall(html)
    assert len(codes) == totp.RECOVERY_CODE_COUNT == len(set(codes))
    assert markup_problems(html) == []
    user = _user(account)
    assert user.totp_enrolled_at is not None
    stored = db.session.query(RecoveryCode.code_hash).filter_by(user_id=user.id).all()
    assert len(stored) == len(codes)
    assert not set(codes) & {row.code_hash for row in stored}

    # Signed in, but only the password change is reachable.
    for endpoint in non_public(app, "GET"):
        response = client.get(endpoint.path)
        if endpoint.endpoint == "auth.change_password":
            assert response.status_code == 200
            page_text = response.get_data(as_text=True)
            assert "one-time password" in page_text
            assert not any(code in page_text for code in codes), "codes are shown once"
        else:
            assert response.status_code == 302, endpoint
            assert location_path(response) == "/account/password", endpoint
    enrol_again = client.get("/sign-in/enrol", follow_redirects=True)
    assert not any(code in enrol_again.get_data(as_text=True) for code in codes)

    response = _change_password(client, ONE_TIME_PASSWORD, NEW_PASSPHRASE)
    assert response.status_code == 302
    assert location_path(response) == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Welcome" in home.get_data(as_text=True)
    assert not any(code in home.get_data(as_text=True) for code in codes)
    user = _user(account)
    assert user.must_change_password is False
    assert passwords.verify_password(user.password_hash, NEW_PASSPHRASE)
    assert not passwords.verify_password(user.password_hash, ONE_TIME_PASSWORD)
    assert {"mfa.enrolled", "sign_in.success", "account.password_changed"} <= {
        e.action for e in events()
    }


def test_password_step_alone_reaches_nothing(app: Flask, client) -> None:
    account = factories.make_user(Role.SUPERVISOR)
    db.session.commit()
    response = post_password(client, account.user.email, account.password)
    assert location_path(response) == "/sign-in/code"
    walked = non_public(app, "GET")
    for endpoint in walked:
        assert is_sign_in_redirect(client.get(endpoint.path)), endpoint
    token = csrf_token(client, "/sign-in/code")  # still half-way: the code page answers
    for endpoint in non_public(app):
        if endpoint.method != "GET":
            response = client.open(
                endpoint.path, method=endpoint.method, data={"csrf_token": token}
            )
            assert is_sign_in_redirect(response), endpoint
    assert client.get("/sign-in/code").status_code == 200


# ---- the second factor -------------------------------------------------------------------


def test_totp_code_cannot_be_replayed(app: Flask) -> None:
    account = factories.make_user(Role.CASEWORKER)
    db.session.commit()
    code = account.code()

    first = app.test_client()
    post_password(first, account.user.email, account.password)
    response = post_code(first, code)
    assert response.status_code == 302
    assert location_path(response) == "/"

    second = app.test_client()
    post_password(second, account.user.email, account.password)
    response = post_code(second, code)  # the same code, within its 30-second window
    assert response.status_code == 200
    assert "already used" in response.get_data(as_text=True)
    assert is_sign_in_redirect(second.get("/"))
    assert len(events("sign_in.second_factor_failed")) == 1

    _user(account)
    response = post_code(second, account.code())  # a newer code works: it was only the replay
    assert response.status_code == 302
    assert second.get("/").status_code == 200


def test_recovery_code_works_once(app: Flask) -> None:
    account = factories.make_user(Role.PARTNER)
    codes = operations.replace_recovery_codes(account.user)
    db.session.commit()

    first = app.test_client()
    post_password(first, account.user.email, account.password)
    assert location_path(post_code(first, codes[0])) == "/"
    assert first.get("/").status_code == 200
    assert len(events("sign_in.recovery_code_used")) == 1

    second = app.test_client()
    post_password(second, account.user.email, account.password)
    response = post_code(second, codes[0])
    assert response.status_code == 200
    assert is_sign_in_redirect(second.get("/"))
    # another unused code, typed in capitals with spaces, is still good
    response = post_code(second, codes[1].upper().replace("-", " "))
    assert location_path(response) == "/"
    assert len(events("sign_in.recovery_code_used")) == 2


# ---- failures look alike, lockout, throttling ---------------------------------------------


def test_unknown_account_and_wrong_password_look_the_same(app: Flask) -> None:
    known = factories.make_user(Role.CASEWORKER, email="known.person@example.org")
    inactive = factories.make_user(Role.CASEWORKER, email="gone.person@example.org", active=False)
    db.session.commit()
    attempts = {
        "known.person@example.org": "not the password at all 42",  # wrong password
        "nobody.here@example.org": "not the password at all 42",  # unknown account
        "gone.person@example.org": inactive.password,  # right password, inactive account
    }
    pages = []
    for email, password in attempts.items():
        response = post_password(app.test_client(), email, password)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert FAILED in body
        pages.append((normalise(body, email), sorted(response.headers.keys())))
    assert pages[0] == pages[1] == pages[2]
    assert _user(known).failed_sign_ins == 1


def test_a_strangers_hundred_wrong_passwords_do_not_keep_the_person_out(app: Flask) -> None:
    """ASVS 2.2 (issue 12 item 6): guessing is slowed, and a stranger cannot lock anyone out.
    Measured: of 100 guesses from 100 addresses in any letter case, only the account's budget
    (ACCOUNT_RATE_LIMIT, 10 a minute) reaches the password check; the person then signs in
    from their own browser with password and code, at once."""
    account = factories.make_user(Role.CASEWORKER, email="target.person@example.org")
    db.session.commit()
    person = app.test_client()
    sign_in(person, account)  # an earlier sign-in: this browser is theirs
    person.post("/sign-out", data={"csrf_token": csrf_token(person, "/account")})

    stranger = app.test_client()
    token = csrf_token(stranger, "/sign-in")
    answers = []
    for n in range(100):
        email = "Target.Person@Example.org" if n % 2 else " target.person@EXAMPLE.ORG "
        data = {"email": email, "password": f"wrong guess number {n}", "csrf_token": token}
        address = {"REMOTE_ADDR": f"10.1.{n // 200}.{n % 200 + 1}"}
        answers.append(stranger.post("/sign-in", data=data, environ_base=address).status_code)
    limit = 10  # ACCOUNT_RATE_LIMIT's per-minute budget
    assert answers[:limit] == [200] * limit
    assert answers[limit:] == [429] * (100 - limit)  # slowed: most guesses never checked
    assert _user(account).failed_sign_ins == limit
    assert _user(account).locked_until is None  # no lock-out

    sign_in(person, account)  # the right password and a fresh code, from their browser
    assert person.get("/").status_code == 200
    assert events("account.locked") == []


def test_known_browser_failures_have_their_own_budget(extra_app) -> None:
    """The person's own browser is slowed by its own failures only."""
    throttled = extra_app(DEVICE_RATE_LIMIT="2 per minute", ACCOUNT_RATE_LIMIT="2 per minute")
    with throttled.app_context():
        account = factories.make_user(Role.CASEWORKER)
        db.session.commit()
        person = throttled.test_client()
        sign_in(person, account)
        person.post("/sign-out", data={"csrf_token": csrf_token(person, "/account")})
        for _ in range(2):
            assert post_password(person, account.user.email, "a wrong one 1234").status_code == 200
        _throttle_page_checks(post_password(person, account.user.email, "a wrong one 1234"))


def _throttle_page_checks(response) -> None:
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert "Too many attempts" in body
    assert "Wait a few minutes" in body
    assert "Traceback" not in body
    assert "per 1 minute" not in body
    assert markup_problems(body) == []
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_sign_in_is_throttled_per_address(extra_app) -> None:
    throttled = extra_app(SIGN_IN_RATE_LIMIT="3 per minute")
    client = throttled.test_client()
    token = csrf_token(client, "/sign-in")
    for n in range(3):
        data = {"email": f"nobody{n}@example.org", "password": "x" * 12, "csrf_token": token}
        assert client.post("/sign-in", data=data).status_code == 200
    response = client.post("/sign-in", data=data)
    _throttle_page_checks(response)
    other_address = client.post("/sign-in", data=data, environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other_address.status_code == 200
    with throttled.app_context():
        assert [e.outcome for e in events("sign_in.throttled")] == ["throttled"]


def test_sign_in_is_throttled_per_account(extra_app) -> None:
    throttled = extra_app(ACCOUNT_RATE_LIMIT="3 per minute")
    client = throttled.test_client()
    token = csrf_token(client, "/sign-in")
    data = {"email": "target.person@example.org", "password": "x" * 12, "csrf_token": token}
    for n in range(3):
        address = {"REMOTE_ADDR": f"10.0.0.{n + 1}"}
        assert client.post("/sign-in", data=data, environ_base=address).status_code == 200
    spread = {"REMOTE_ADDR": "10.0.0.99"}
    _throttle_page_checks(client.post("/sign-in", data=data, environ_base=spread))
    # the same account in other letter case is the same account
    data["email"] = " Target.Person@Example.org "
    assert client.post("/sign-in", data=data, environ_base=spread).status_code == 429
    data["email"] = "someone.else@example.org"
    assert client.post("/sign-in", data=data, environ_base=spread).status_code == 200


# ---- password rules and hashing ----------------------------------------------------------

REFUSED_PASSWORDS = {
    "11 characters": "vQ7#mZ2$kP9",
    "129 characters": ("lantern meadow copper violin " * 5)[:129],
    "common": "password1234",
    "keyboard walk": "qwertyuiop123",
    "season and year": "Summer2026!!",
}
ACCEPTED_PASSWORDS = {
    "12 random characters": "vQ7#mZ2$kP9!",
    "a passphrase": NEW_PASSPHRASE,
    "128 characters": ("orchid harbour lantern violet " * 5)[:128],
}


@pytest.mark.parametrize("password", REFUSED_PASSWORDS.values(), ids=REFUSED_PASSWORDS.keys())
def test_weak_passwords_are_refused(app: Flask, password: str) -> None:
    with app.test_request_context():
        assert passwords.password_problems(password) != []


@pytest.mark.parametrize("password", ACCEPTED_PASSWORDS.values(), ids=ACCEPTED_PASSWORDS.keys())
def test_good_passwords_are_accepted(app: Flask, password: str) -> None:
    with app.test_request_context():
        assert passwords.password_problems(password) == []


def test_password_made_of_own_details_is_refused(app: Flask) -> None:
    own = ["somchai.rattanakosin@agency.org", "Somchai Rattanakosin"]
    with app.test_request_context():
        assert passwords.password_problems("Rattanakosin Somchai") == []  # strong for others
        assert passwords.password_problems("Rattanakosin Somchai", own) != []  # not for him
        assert passwords.password_problems("somchai.rattanakosin@agency.org", own) != []


def test_change_password_form_applies_the_rules(login_as) -> None:
    client, account = login_as(Role.CASEWORKER)
    for password in REFUSED_PASSWORDS.values():
        response = _change_password(client, account.password, password)
        assert response.status_code == 422, password
    assert (
        _change_password(client, account.password, NEW_PASSPHRASE, "different").status_code == 422
    )
    assert passwords.verify_password(_user(account).password_hash, account.password)
    assert _change_password(client, account.password, NEW_PASSPHRASE).status_code == 302
    assert passwords.verify_password(_user(account).password_hash, NEW_PASSPHRASE)


def test_wrong_current_password_changes_nothing(login_as) -> None:
    client, account = login_as(Role.CASEWORKER)
    response = _change_password(client, "not my current password 1", NEW_PASSPHRASE)
    assert response.status_code == 422
    assert passwords.verify_password(_user(account).password_hash, account.password)
    assert len(events("account.password_change_failed")) == 1


FLOOR = {"memory_cost": 19456, "time_cost": 2, "parallelism": 1}


def _assert_at_least_floor(password_hash: str) -> None:
    params = extract_parameters(password_hash)
    assert params.type is Type.ID
    for name, floor in FLOOR.items():
        assert getattr(params, name) >= floor, name


def test_hashes_are_argon2id_at_or_above_the_floor(app: Flask) -> None:
    account = factories.make_user(Role.CASEWORKER)
    _assert_at_least_floor(account.user.password_hash)
    assert account.password not in account.user.password_hash
    production = load_config("production")
    assert production["ARGON2_MEMORY_COST"] >= FLOOR["memory_cost"]
    assert production["ARGON2_TIME_COST"] >= FLOOR["time_cost"]
    assert production["ARGON2_PARALLELISM"] >= FLOOR["parallelism"]


@pytest.mark.parametrize(
    ("setting", "value"),
    [("ARGON2_MEMORY_COST", 8192), ("ARGON2_TIME_COST", 1), ("ARGON2_PARALLELISM", 0)],
)
def test_settings_below_the_floor_refuse_to_start(tmp_path, setting: str, value: int) -> None:
    from tests.conftest import build_app

    with pytest.raises(ConfigError, match=setting):
        build_app(str(tmp_path), **{setting: value})


def test_weaker_hash_is_replaced_at_sign_in(app: Flask, client) -> None:
    account = factories.make_user(Role.CASEWORKER)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(account.password)
    account.user.password_hash = weak
    db.session.commit()
    response = post_password(client, account.user.email, account.password)
    assert location_path(response) == "/sign-in/code"
    upgraded = _user(account).password_hash
    assert upgraded != weak
    _assert_at_least_floor(upgraded)
    params = extract_parameters(upgraded)
    assert params.memory_cost == app.config["ARGON2_MEMORY_COST"]
    assert params.time_cost == app.config["ARGON2_TIME_COST"]
    assert passwords.verify_password(upgraded, account.password)
    assert len(events("account.password_rehashed")) == 1


def test_wrong_password_does_not_rehash(app: Flask, client) -> None:
    account = factories.make_user(Role.CASEWORKER)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(account.password)
    account.user.password_hash = weak
    db.session.commit()
    post_password(client, account.user.email, "not the password, no rehash")
    assert _user(account).password_hash == weak


# ---- where to go after signing in ---------------------------------------------------------

UNSAFE_NEXT = [
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "/\\/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\t/evil.example",
    "/\n/evil.example",
    "evil.example",
]


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_safe_next_refuses_other_sites(target: str) -> None:
    from casework.web.access import safe_next

    assert safe_next(target) is None


def test_safe_next_keeps_local_paths() -> None:
    from casework.web.access import safe_next

    assert safe_next("/account?tab=1") == "/account?tab=1"
    assert safe_next("/") == "/"


def test_sign_in_never_redirects_to_another_site(app: Flask, client) -> None:
    from urllib.parse import quote

    account = factories.make_user(Role.CASEWORKER)
    db.session.commit()
    post_password(
        client, account.user.email, account.password, query="?next=" + quote("/\\evil.example/")
    )
    response = post_code(client, account.code())
    assert response.headers["Location"] == "/"


def test_enrolment_secret_from_an_unfinished_sign_in_is_useless(app: Flask) -> None:
    """Whoever saw the enrolment page in an earlier, abandoned sign-in (a shoulder, a shared
    computer) does not hold the secret that finally gets enrolled."""
    account = factories.make_user(Role.CASEWORKER, enrolled=False, must_change_password=True)
    db.session.commit()
    first = app.test_client()
    post_password(first, account.user.email, account.password)
    seen = SECRET_TEXT.search(first.get("/sign-in/enrol").get_data(as_text=True))
    assert seen
    old_secret = seen.group(1).replace(" ", "")
    again = SECRET_TEXT.search(first.get("/sign-in/enrol").get_data(as_text=True))
    assert again
    assert again.group(1).replace(" ", "") == old_secret, "stable across reloads"

    second = app.test_client()
    post_password(second, account.user.email, account.password)
    shown = SECRET_TEXT.search(second.get("/sign-in/enrol").get_data(as_text=True))
    assert shown
    new_secret = shown.group(1).replace(" ", "")
    assert new_secret != old_secret
    assert post_code(first, totp.current_code(old_secret), "/sign-in/enrol").status_code == 200
    assert _user(account).totp_enrolled_at is None
    response = post_code(second, totp.current_code(new_secret), "/sign-in/enrol")
    assert RECOVERY_CODE.findall(response.get_data(as_text=True))
    assert _user(account).totp_secret == new_secret


# ---- guesses from a signed-in session (issue 12 item 7) ------------------------------------


def test_current_password_guesses_are_counted_and_end_the_session(app: Flask, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "REAUTH_LIMIT", "3 per 15 minutes")
    account = factories.make_user(Role.CASEWORKER)
    db.session.commit()
    client = app.test_client()
    sign_in(client, account)
    guess = {"new_password": NEW_PASSPHRASE, "confirm_password": NEW_PASSPHRASE}
    for n in range(2):
        token = csrf_token(client, "/account/password")
        response = client.post(
            "/account/password",
            data={**guess, "current_password": f"guess number {n} x", "csrf_token": token},
        )
        assert response.status_code == 422
    token = csrf_token(client, "/account/password")
    response = client.post(
        "/account/password",
        data={**guess, "current_password": "guess number 3 x", "csrf_token": token},
    )
    assert location_path(response) == "/sign-in"  # the session ended
    assert location_path(client.get("/account/password")).startswith("/sign-in")
    assert len(events("account.current_password_failed")) == 3
    assert len(events("account.session_ended_after_failures")) == 1
    # Signed in again, the budget is still spent: nothing is checked for a while.
    sign_in(client, account)
    token = csrf_token(client, "/account/password")
    response = client.post(
        "/account/password",
        data={**guess, "current_password": account.password, "csrf_token": token},
    )
    assert response.status_code == 429
    assert passwords.verify_password(_user(account).password_hash, account.password)


def test_code_guesses_on_recovery_codes_are_counted_and_end_the_session(
    app: Flask, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "REAUTH_LIMIT", "2 per 15 minutes")
    account = factories.make_user(Role.CASEWORKER)
    db.session.commit()
    client = app.test_client()
    sign_in(client, account)
    token = csrf_token(client, "/account")
    first = client.post("/account/recovery-codes", data={"code": "000000", "csrf_token": token})
    assert first.status_code == 422
    token = csrf_token(client, "/account")
    second = client.post("/account/recovery-codes", data={"code": "111111", "csrf_token": token})
    assert location_path(second) == "/sign-in"
    assert len(events("account.code_check_failed")) == 2
    assert location_path(client.get("/account")).startswith("/sign-in")
