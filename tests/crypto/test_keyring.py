"""Keyring loading, validation, writing and the signing key."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from casework.crypto import (
    KeyNotFound,
    Keyring,
    KeyringError,
    generate_keyring,
    load_keyring_env,
    load_keyring_file,
    parse_keyring,
    write_keyring_file,
)

KEY_A = base64.b64encode(b"A" * 32).decode()
KEY_B = base64.b64encode(b"B" * 32).decode()
SIGNING = base64.b64encode(b"S" * 32).decode()
INDEX = base64.b64encode(b"I" * 32).decode()
SHORT = base64.b64encode(b"T" * 16).decode()
SECRETS = (KEY_A, KEY_B, SIGNING, INDEX, SHORT)


def document(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "version": 1,
        "active": "aaaa1111",
        "keys": {
            "aaaa1111": {"key": KEY_A, "created": "2026-05-01T10:00:00+00:00"},
            "bbbb2222": {"key": KEY_B, "created": "2025-01-01T10:00:00+00:00"},
        },
        "signing_key": SIGNING,
        "index_key": INDEX,
    }
    doc.update(changes)
    return doc


def assert_no_key_material(message: str) -> None:
    for secret in SECRETS:
        assert secret not in message
        assert secret[:12] not in message


def test_valid_document_loads() -> None:
    ring = parse_keyring(json.dumps(document()))
    assert ring.active_key_id == "aaaa1111"
    assert ring.key_ids == ("aaaa1111", "bbbb2222")
    assert ring.key("bbbb2222") == b"B" * 32
    assert ring.index_key == b"I" * 32


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"version": 1, "active": ', "not valid JSON"),
        ("null", "must be a JSON object"),
        ("[1, 2]", "must be a JSON object"),
        (json.dumps(document(active=["aaaa1111", "bbbb2222"])), "exactly one active key"),
        (json.dumps(document(active=None)), "no active key"),
        (json.dumps(document(active="")), "no active key"),
        (json.dumps(document(active="cccc3333")), "'cccc3333' is not among the keys"),
        (json.dumps(document(version=2)), "unknown keyring version 2"),
        (json.dumps(document(version="1")), "'version' must be an integer"),
        (json.dumps(document(version=True)), "'version' must be an integer"),
        (json.dumps(document(version=None)), "unknown keyring version None"),
        (json.dumps(document(keys={})), "'keys' must be a non-empty object"),
        (json.dumps(document(index_key=SHORT)), "index_key must be 32 bytes, not 16"),
        (json.dumps(document(signing_key=None)), "signing_key is missing"),
        (json.dumps(document(index_key="not base64!")), "index_key is not valid base64"),
        (json.dumps(document(index_key=KEY_A)), "index_key must differ"),
        (json.dumps(document(extra=1)), "unknown field 'extra'"),
        (json.dumps(document(**{KEY_A: 1})), "unknown field (name not shown)"),
    ],
)
def test_malformed_documents_name_the_problem(text: str, problem: str) -> None:
    with pytest.raises(KeyringError) as raised:
        parse_keyring(text)
    assert problem in str(raised.value)
    assert_no_key_material(str(raised.value))
    # No chained exception may carry the document (a JSONDecodeError keeps it whole).
    assert raised.value.__cause__ is None
    assert raised.value.__context__ is None


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"key": SHORT, "created": "2026-01-01"}, "key 'aaaa1111' must be 32 bytes, not 16"),
        ({"key": KEY_A}, "'created' of key 'aaaa1111' is missing"),
        ({"key": KEY_A, "created": "yesterday"}, "not an ISO 8601"),
        ({"key": KEY_A, "created": "2026-01-01", "active": True}, "exactly one active key"),
        ({"created": "2026-01-01"}, "key 'aaaa1111' is missing"),
        ("just a string", "must be an object"),
    ],
)
def test_malformed_key_entries_name_the_problem(entry: object, problem: str) -> None:
    doc = document()
    doc["keys"]["aaaa1111"] = entry
    with pytest.raises(KeyringError) as raised:
        parse_keyring(json.dumps(doc))
    assert problem in str(raised.value)
    assert_no_key_material(str(raised.value))


def test_two_keys_flagged_active_are_refused() -> None:
    doc = document()
    for entry in doc["keys"].values():
        entry["active"] = True
    with pytest.raises(KeyringError, match="exactly one active key"):
        parse_keyring(json.dumps(doc))


def test_a_key_id_that_looks_like_key_material_is_not_echoed() -> None:
    doc = document()
    doc["keys"][KEY_B] = doc["keys"].pop("bbbb2222")
    with pytest.raises(KeyringError) as raised:
        parse_keyring(json.dumps(doc))
    assert "key id" in str(raised.value)
    assert_no_key_material(str(raised.value))


def test_environment_value_may_be_json_or_base64_json() -> None:
    text = json.dumps(document())
    assert load_keyring_env(text).active_key_id == "aaaa1111"
    encoded = base64.b64encode(text.encode()).decode()
    assert load_keyring_env(f"  {encoded}\n").active_key_id == "aaaa1111"
    with pytest.raises(KeyringError, match="neither JSON nor base64"):
        load_keyring_env("%%%")
    with pytest.raises(KeyringError, match="empty"):
        load_keyring_env("  ")


def test_write_creates_0600_and_reads_back(tmp_path: Path) -> None:
    ring = generate_keyring()
    path = tmp_path / "keys.json"
    write_keyring_file(path, ring)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_keyring_file(path)
    assert loaded.active_key_id == ring.active_key_id
    assert loaded.key(ring.active_key_id) == ring.key(ring.active_key_id)
    assert loaded.index_key == ring.index_key
    assert loaded.signing_public_key_pem() == ring.signing_public_key_pem()
    assert [p.name for p in tmp_path.iterdir()] == ["keys.json"]  # no temporary left


def test_write_is_0600_even_under_a_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        write_keyring_file(tmp_path / "keys.json", generate_keyring())
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "keys.json").stat().st_mode) == 0o600


def test_write_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    first = generate_keyring()
    write_keyring_file(path, first)
    before = path.read_bytes()
    with pytest.raises(KeyringError, match="already exists"):
        write_keyring_file(path, generate_keyring())
    assert path.read_bytes() == before
    rotated = first.with_new_active_key()
    write_keyring_file(path, rotated, overwrite=True)
    assert load_keyring_file(path).active_key_id == rotated.active_key_id
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_load_refuses_a_file_others_can_read(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    write_keyring_file(path, generate_keyring())
    path.chmod(0o644)
    with pytest.raises(KeyringError, match="chmod 600"):
        load_keyring_file(path)
    assert load_keyring_file(path, check_mode=False).key_ids


def test_missing_file_or_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="does not exist"):
        load_keyring_file(tmp_path / "absent.json")
    with pytest.raises(KeyringError, match="does not exist"):
        write_keyring_file(tmp_path / "absent" / "keys.json", generate_keyring())


def test_rotation_keeps_old_keys_and_retire_refuses_the_active_one() -> None:
    ring = generate_keyring()
    old = ring.active_key_id
    rotated = ring.with_new_active_key()
    assert rotated.active_key_id != old
    assert set(rotated.key_ids) == {old, rotated.active_key_id}
    assert rotated.index_key == ring.index_key  # KEK rotation never changes blind indexes
    with pytest.raises(KeyringError, match="cannot retire the active key"):
        rotated.without_key(rotated.active_key_id)
    retired = rotated.without_key(old)
    assert retired.key_ids == (rotated.active_key_id,)
    with pytest.raises(KeyNotFound, match=old):
        retired.key(old)
    with pytest.raises(KeyNotFound):
        retired.without_key(old)


def test_new_index_key_keeps_the_keks() -> None:
    ring = generate_keyring()
    rekeyed = ring.with_new_index_key()
    assert rekeyed.index_key != ring.index_key
    assert rekeyed.key(ring.active_key_id) == ring.key(ring.active_key_id)


def test_generated_key_ids_are_short_hex() -> None:
    kid = generate_keyring().active_key_id
    assert len(kid) == 8
    int(kid, 16)


def test_signing_key_signs_and_the_pem_verifies() -> None:
    ring = generate_keyring()
    signature = ring.signing_private_key().sign(b"release")
    public = load_pem_public_key(ring.signing_public_key_pem().encode())
    assert isinstance(public, Ed25519PublicKey)
    public.verify(signature, b"release")


def test_reprs_show_no_key_material() -> None:
    ring = parse_keyring(json.dumps(document()))
    for text in (repr(ring), str(ring), repr(ring.entry("aaaa1111"))):
        assert "aaaa1111" in text or "created" in text
        assert "AAAA" not in text
        assert_no_key_material(text)


def test_keyring_constructor_validates_too() -> None:
    ring = generate_keyring()
    with pytest.raises(KeyringError, match="no key-encryption keys"):
        Keyring(active="x", keys={}, signing_key=b"s" * 32, index_key=b"i" * 32)
    with pytest.raises(KeyringError, match="signing_key must be 32 bytes"):
        Keyring(
            active=ring.active_key_id,
            keys={ring.active_key_id: ring.entry(ring.active_key_id)},
            signing_key=b"short",
            index_key=b"i" * 32,
        )


def test_a_rotate_index_in_steps_keeps_both_index_keys_until_the_end(tmp_path) -> None:
    """Issue 13: searches look up both index generations while a rotate-index is unfinished."""
    from casework.crypto import generate_keyring, load_keyring_file, write_keyring_file

    ring = generate_keyring()
    step1 = ring.with_next_index_key()
    assert step1.index_key == ring.index_key  # still written with the old key
    assert step1.search_index_keys == (ring.index_key, step1.next_index_key)
    with pytest.raises(KeyringError, match="already under way"):
        step1.with_next_index_key()
    step2 = step1.with_next_index_key_in_use()
    assert step2.index_key == step1.next_index_key
    assert step2.search_index_keys == (step2.index_key, ring.index_key)
    path = tmp_path / "keys.json"
    write_keyring_file(path, step2)
    assert load_keyring_file(path).search_index_keys == step2.search_index_keys
    assert step2.with_new_active_key().previous_index_key == ring.index_key  # kept by a rotate
    done = step2.without_previous_index_key()
    assert done.search_index_keys == (step2.index_key,)
    assert "previous_index_key" not in done.to_json()
    document = json.loads(step1.to_json())
    document["previous_index_key"] = document["next_index_key"]
    with pytest.raises(KeyringError, match="not both"):
        parse_keyring(json.dumps(document))
