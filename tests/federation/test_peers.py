"""The peers directory end to end: the trust ceremony against a real installation on
loopback, what each peer may send, suspend, resume, remove; pages, commands and audit."""

from __future__ import annotations

import json
import urllib.request

import pytest
from flask import Flask
from sqlalchemy import select

from casework.core.extensions import db
from casework.crypto.identity import fingerprint_words, generate_federation_keys
from casework.domain import PeerCapability, PeerStatus
from casework.encryption import keys
from casework.federation import operations
from casework.federation.models import Peer
from casework.policy import Role
from tests.admin.conftest import audit_events, post_form, text
from tests.federation.installations import Installation

pytestmark = pytest.mark.usefixtures("federated")


def test_the_identity_document_is_public_and_signed(cambodia: Installation) -> None:
    url = cambodia.address + "/federation/identity"
    with urllib.request.urlopen(url) as response:  # noqa: S310 - a loopback http URL
        document = json.load(response)
    assert document["body"]["name"] == "Cambodia (test)"
    assert document["body"]["address"] == cambodia.address
    assert set(document["signatures"]) == set(document["body"]["signing"])
    with cambodia.app.app_context():
        private = keys.keyring().federation.to_json()  # type: ignore[union-attr]
    shown = json.dumps(document)
    for kind in ("signing", "encryption"):
        for entry in private[kind].values():
            assert entry["key"] not in shown  # public keys only


def test_add_a_peer_after_the_ceremony(app: Flask, cambodia: Installation, login_as) -> None:  # type: ignore[no-untyped-def]
    client, account = login_as(Role.ADMIN)
    response = post_form(
        client,
        "/federation/peers/new",
        {
            "address": cambodia.address + "/",
            "fingerprint": cambodia.fingerprint_words().upper(),
            "capabilities": ["referrals", "statistics"],
        },
    )
    assert response.status_code == 302, text(response)
    peer = db.session.execute(select(Peer)).scalar_one()
    assert (peer.name, peer.address, peer.status) == (
        "Cambodia (test)",
        cambodia.address,
        PeerStatus.ACTIVE,
    )
    assert peer.capabilities == ["referrals", "statistics"]
    assert peer.may_send(PeerCapability.REFERRALS)
    assert not peer.may_send(PeerCapability.TRANSFERS)
    assert peer.fingerprint_words == cambodia.fingerprint_words()
    [event] = audit_events("federation.peer_added")
    assert (event.actor_id, event.target_id, event.detail) == (
        account.user.id,
        str(peer.id),
        "referrals,statistics",
    )
    page = text(client.get(f"/federation/peers/{peer.id}"))
    assert cambodia.fingerprint_words() in page
    listing = text(client.get("/federation/peers"))
    assert "Cambodia (test)" in listing
    assert "Statistics releases" in listing
    # The same installation cannot be added twice.
    again = post_form(
        client,
        "/federation/peers/new",
        {"address": cambodia.address, "fingerprint": cambodia.fingerprint_words()},
    )
    assert again.status_code == 422
    assert "already in the directory" in text(again)


def test_a_wrong_fingerprint_adds_nothing_and_is_audited(
    cambodia: Installation,
    login_as,  # type: ignore[no-untyped-def]
) -> None:
    client, _ = login_as(Role.ADMIN)
    someone_else = fingerprint_words(generate_federation_keys().fingerprint)
    response = post_form(
        client,
        "/federation/peers/new",
        {"address": cambodia.address, "fingerprint": someone_else},
    )
    assert response.status_code == 422
    assert "does not match" in text(response)
    assert db.session.execute(select(Peer)).first() is None
    [event] = audit_events("federation.peer_refused")
    assert (event.outcome, event.detail) == ("refused", "fingerprint")


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("http://kh.example.org", "https://"),
        ("ftp://127.0.0.1", "https://"),
        ("https://127.0.0.1:9", "did not answer"),
    ],
)
def test_bad_or_silent_addresses(address: str, message: str, login_as) -> None:  # type: ignore[no-untyped-def]
    client, _ = login_as(Role.ADMIN)
    words = fingerprint_words(generate_federation_keys().fingerprint)
    response = post_form(
        client, "/federation/peers/new", {"address": address, "fingerprint": words}
    )
    assert response.status_code == 422
    assert message in text(response)


def test_a_fingerprint_that_is_not_words(login_as) -> None:  # type: ignore[no-untyped-def]
    client, _ = login_as(Role.ADMIN)
    response = post_form(
        client,
        "/federation/peers/new",
        {"address": "https://kh.example.org", "fingerprint": "open sesame"},
    )
    assert response.status_code == 422
    assert "12 words" in text(response)


def _peer(cambodia: Installation) -> Peer:
    peer = operations.add_peer(
        None,
        address=cambodia.address,
        fingerprint=cambodia.fingerprint_words(),
        capabilities=["referrals"],
    )
    db.session.commit()
    return peer


def test_suspend_resume_remove_with_confirmation(cambodia: Installation, login_as) -> None:  # type: ignore[no-untyped-def]
    peer = _peer(cambodia)
    client, account = login_as(Role.ADMIN)
    base = f"/federation/peers/{peer.id}"
    confirm = client.get(base + "/suspend")
    assert confirm.status_code == 200
    assert "Suspend this installation?" in text(confirm)
    db.session.expire_all()
    assert db.session.get(Peer, peer.id).status == PeerStatus.ACTIVE  # a GET changes nothing
    assert post_form(client, base + "/suspend").status_code == 302
    db.session.expire_all()
    assert db.session.get(Peer, peer.id).status == PeerStatus.SUSPENDED
    assert not db.session.get(Peer, peer.id).may_send(PeerCapability.REFERRALS)
    assert post_form(client, base + "/resume").status_code == 302
    assert post_form(client, base + "/remove").status_code == 302
    db.session.expire_all()
    assert db.session.get(Peer, peer.id).status == PeerStatus.REMOVED
    # Removed is for good.
    assert client.get(base + "/resume").status_code == 200
    post_form(client, base + "/resume")
    db.session.expire_all()
    assert db.session.get(Peer, peer.id).status == PeerStatus.REMOVED
    actions = [e.action for e in audit_events() if e.action.startswith("federation.peer_")]
    assert actions == [
        "federation.peer_added",
        "federation.peer_suspended",
        "federation.peer_resumed",
        "federation.peer_removed",
    ]
    assert all(
        e.actor_id == account.user.id
        for e in audit_events()
        if e.action != "federation.peer_added" and e.action.startswith("federation.peer_")
    )
    # Once removed, it may be added again (a new ceremony, a new row).
    again = _peer(cambodia)
    assert again.id != peer.id


def test_change_what_a_peer_may_send(cambodia: Installation, login_as) -> None:  # type: ignore[no-untyped-def]
    peer = _peer(cambodia)
    client, _ = login_as(Role.ADMIN)
    response = post_form(
        client, f"/federation/peers/{peer.id}", {"capabilities": ["transfers", "referrals"]}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Peer, peer.id).capabilities == ["referrals", "transfers"]
    [event] = audit_events("federation.peer_capabilities_changed")
    assert event.detail == "referrals,transfers"
    bad = post_form(client, f"/federation/peers/{peer.id}", {"capabilities": ["everything"]})
    assert bad.status_code == 422


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER, Role.COORDINATOR])
def test_only_administrators_see_the_directory(
    role: Role, cambodia: Installation, login_as
) -> None:  # type: ignore[no-untyped-def]
    peer = _peer(cambodia)
    client, _ = login_as(role)
    for path in (
        "/federation/peers",
        f"/federation/peers/{peer.id}",
        "/federation/this-installation",
    ):
        assert client.get(path).status_code == 404


def test_this_installations_fingerprint_page(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client, _ = login_as(Role.ADMIN)
    page = text(client.get("/federation/this-installation"))
    words = fingerprint_words(keys.keyring().federation.fingerprint)  # type: ignore[union-attr]
    for word in words.split():
        assert f"<li>{word}</li>" in page
    assert "<svg" in page


def test_the_commands(app: Flask, cambodia: Installation) -> None:
    runner = app.test_cli_runner()
    shown = runner.invoke(args=["federation", "identity"])
    assert shown.exit_code == 0, shown.output
    assert "Thailand (test)" in shown.output
    added = runner.invoke(
        args=[
            "federation",
            "add",
            cambodia.address,
            "--fingerprint",
            cambodia.fingerprint_words(),
            "--may-send",
            "statistics",
        ]
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(args=["federation", "list"])
    assert "Cambodia (test)" in listed.output
    assert "statistics" in listed.output
    assert runner.invoke(args=["federation", "suspend", cambodia.address]).exit_code == 0
    assert runner.invoke(args=["federation", "resume", cambodia.address]).exit_code == 0
    removed = runner.invoke(args=["federation", "remove", cambodia.address, "--yes"])
    assert removed.exit_code == 0, removed.output
    db.session.expire_all()
    assert db.session.execute(select(Peer.status)).scalar_one() == PeerStatus.REMOVED
    assert runner.invoke(args=["federation", "suspend", "nobody"]).exit_code != 0
    assert [e.actor_id for e in audit_events() if e.action.startswith("federation.peer_")] == [
        None
    ] * 4


def test_following_a_peers_key_rotation(app: Flask, cambodia: Installation) -> None:
    from casework.crypto import write_keyring_file

    peer = _peer(cambodia)
    old = peer.fingerprint
    with cambodia.app.app_context():
        ring = keys.keyring()
        rotated = ring.federation.with_new_signing_key().with_new_encryption_key()  # type: ignore[union-attr]
        write_keyring_file(
            cambodia.app.config["KEY_FILE"], ring.with_federation(rotated), overwrite=True
        )
        keys.state().forget()
    try:
        result = app.test_cli_runner().invoke(args=["federation", "refresh", cambodia.address])
        assert result.exit_code == 0, result.output
        assert "Keys updated" in result.output
        db.session.expire_all()
        peer = db.session.get(Peer, peer.id)
        assert peer.fingerprint != old
        assert peer.keys.encryption_active == rotated.encryption_active
        assert audit_events("federation.peer_keys_updated")
    finally:
        with cambodia.app.app_context():
            write_keyring_file(cambodia.app.config["KEY_FILE"], ring, overwrite=True)
            keys.state().forget()


def test_the_daily_refresh_follows_rotations(app: Flask, cambodia: Installation) -> None:
    from casework.crypto import write_keyring_file
    from casework.federation.jobs import REFRESH
    from casework.jobs.api import start_job

    peer = _peer(cambodia)
    with cambodia.app.app_context():
        ring = keys.keyring()
        rotated = ring.federation.with_new_encryption_key()  # type: ignore[union-attr]
        write_keyring_file(
            cambodia.app.config["KEY_FILE"], ring.with_federation(rotated), overwrite=True
        )
        keys.state().forget()
    try:
        job = start_job(REFRESH)
        db.session.commit()  # eager queue: runs after the commit
        db.session.expire_all()
        db.session.refresh(job)
        assert job.status == "succeeded"
        assert job.result == {"peers_updated": 1, "peers_unreachable": 0}
        assert db.session.get(Peer, peer.id).keys.encryption_active == rotated.encryption_active  # type: ignore[union-attr]
    finally:
        with cambodia.app.app_context():
            write_keyring_file(cambodia.app.config["KEY_FILE"], ring, overwrite=True)
            keys.state().forget()
