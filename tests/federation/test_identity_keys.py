"""The federation identity: keys in the keyring, rotation, fingerprints as words, and the
signed identity document a peer is added and followed by."""

from __future__ import annotations

import copy

import pytest
from mnemonic import Mnemonic

from casework.crypto import parse_keyring
from casework.crypto.errors import KeyringError
from casework.crypto.identity import (
    IdentityError,
    fingerprint_hex,
    fingerprint_words,
    generate_federation_keys,
    identity_document,
    parse_fingerprint,
    read_identity_document,
)
from casework.crypto.keyring import generate_keyring

WORDLIST = Mnemonic("english").wordlist


def test_keys_travel_in_the_key_file_and_rotation_keeps_old_keys() -> None:
    ring = generate_keyring().with_federation(generate_federation_keys())
    again = parse_keyring(ring.to_json())
    assert again.federation is not None
    assert ring.federation is not None
    assert again.federation.public() == ring.federation.public()
    rotated = again.federation.with_new_encryption_key().with_new_signing_key()
    assert rotated.encryption_active != ring.federation.encryption_active
    assert set(rotated.encryption) == {ring.federation.encryption_active, rotated.encryption_active}
    assert rotated.fingerprint != ring.federation.fingerprint
    # Rotating the key-encryption keys keeps the federation keys.
    assert again.with_new_active_key().federation == again.federation
    with pytest.raises(KeyringError):
        rotated.without_key(rotated.signing_active)
    retired = rotated.without_key(ring.federation.signing_active)
    assert set(retired.signing) == {rotated.signing_active}
    assert "IdentityKey" not in repr(rotated)  # no key bytes in a repr


def test_a_keyring_without_federation_keys_still_reads() -> None:
    ring = generate_keyring()
    assert parse_keyring(ring.to_json()).federation is None
    assert '"federation"' not in ring.to_json()


def test_fingerprint_as_words_and_hex_round_trip() -> None:
    print_ = generate_federation_keys().fingerprint
    words = fingerprint_words(print_)
    assert len(words.split()) == 12
    assert parse_fingerprint(words) == print_
    assert parse_fingerprint("  " + words.upper().replace(" ", "   ") + "\n") == print_
    assert parse_fingerprint(fingerprint_hex(print_)) == print_


def test_a_misheard_word_is_caught() -> None:
    """The last word carries a 4-bit checksum: most single-word mistakes are refused outright,
    and none gives the same fingerprint (which the identity check would then refuse)."""
    print_ = generate_federation_keys().fingerprint
    words = fingerprint_words(print_).split()
    refused = 0
    for replacement in WORDLIST[:64]:
        if replacement == words[3]:
            continue
        try:
            got = parse_fingerprint(" ".join([*words[:3], replacement, *words[4:]]))
        except ValueError:
            refused += 1
        else:
            assert got != print_
    assert refused >= 40
    with pytest.raises(ValueError, match="not a valid fingerprint"):
        parse_fingerprint("correct horse battery staple")


def _document(keys=None):  # type: ignore[no-untyped-def]
    keys = keys or generate_federation_keys()
    return keys, identity_document(keys, name="Cambodia", address="https://kh.example")


def test_identity_document_checks_against_the_fingerprint() -> None:
    keys, document = _document()
    body, public = read_identity_document(document, expected_fingerprint=keys.fingerprint)
    assert body["name"] == "Cambodia"
    assert public == keys.public() or public.signing == keys.public().signing
    with pytest.raises(IdentityError):
        read_identity_document(
            document, expected_fingerprint=generate_federation_keys().fingerprint
        )


@pytest.mark.parametrize("field", ["name", "address", "encryption_active"])
def test_a_tampered_identity_document_is_refused(field: str) -> None:
    keys, document = _document()
    forged = copy.deepcopy(document)
    forged["body"][field] = "https://attacker.example" if field != "encryption_active" else "x"
    with pytest.raises(IdentityError):
        read_identity_document(forged, expected_fingerprint=keys.fingerprint)


def test_a_substituted_encryption_key_is_refused() -> None:
    keys, document = _document()
    other = generate_federation_keys().public()
    forged = copy.deepcopy(document)
    kid = keys.encryption_active
    forged["body"]["encryption"][kid] = other.to_json()["encryption"][other.encryption_active]
    with pytest.raises(IdentityError):
        read_identity_document(forged, expected_fingerprint=keys.fingerprint)


def test_a_rotation_is_followed_when_a_trusted_key_signed_it() -> None:
    keys, document = _document()
    _, trusted = read_identity_document(document, expected_fingerprint=keys.fingerprint)
    rotated = keys.with_new_signing_key().with_new_encryption_key()
    _, new_document = _document(rotated)
    _, followed = read_identity_document(new_document, trusted=trusted)
    assert followed.signing_active == rotated.signing_active
    # Once the old key is retired, a document signed only by the new one is not followed.
    retired = rotated.without_key(keys.signing_active)
    _, only_new = _document(retired)
    with pytest.raises(IdentityError):
        read_identity_document(only_new, trusted=trusted)
    # Nor is a stranger's document.
    with pytest.raises(IdentityError):
        read_identity_document(_document()[1], trusted=trusted)
