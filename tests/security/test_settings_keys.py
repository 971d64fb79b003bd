"""Production refuses to start with missing, malformed or wrong keys, naming the problem and
never the key."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest

from casework import create_app
from casework.core.extensions import db
from casework.crypto import generate_keyring, load_keyring_file
from casework.encryption import keys
from config import ConfigError
from tests import factories


def _refusal(settings: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as refused:
        create_app(settings)
    message = str(refused.value)
    assert message.startswith("Refusing to start in production")
    return message


def _secret_strings(path: Path) -> list[str]:
    document = json.loads(path.read_text())
    found = [entry["key"] for entry in document["keys"].values()]
    return [*found, document["index_key"], document["signing_key"]]


def test_missing_key_file(production_settings: dict[str, Any]) -> None:
    os.unlink(production_settings["KEY_FILE"])
    assert "key material" in _refusal(production_settings)


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        (lambda doc: "not json at all", "not valid JSON"),
        (lambda doc: json.dumps({**doc, "active": "missing-id"}), "active key"),
        (lambda doc: json.dumps({**doc, "active": list(doc["keys"]) * 2}), "exactly one active"),
        (
            lambda doc: json.dumps(
                {**doc, "keys": {k: {**v, "key": "c2hvcnQ="} for k, v in doc["keys"].items()}}
            ),
            "32 bytes",
        ),
    ],
    ids=["not json", "unknown active key", "two active keys", "short key"],
)
def test_malformed_key_file(production_settings: dict[str, Any], damage: Any, named: str) -> None:
    path = Path(production_settings["KEY_FILE"])
    secrets = _secret_strings(path)
    path.write_text(damage(json.loads(path.read_text())))
    message = _refusal(production_settings)
    assert named in message
    for secret in secrets:
        assert secret not in message
        assert base64.b64decode(secret).hex() not in message


def test_key_file_readable_by_others(production_settings: dict[str, Any]) -> None:
    os.chmod(production_settings["KEY_FILE"], 0o644)
    assert "chmod 600" in _refusal(production_settings)


def test_key_file_unreadable(production_settings: dict[str, Any]) -> None:
    path = Path(production_settings["KEY_FILE"])
    path.unlink()
    path.mkdir()  # exists, but cannot be read as a file
    assert f"key file {str(path)!r} is not a regular file" in _refusal(production_settings)


def test_wrong_keys_for_the_stored_data_are_named(app: Any, tmp_path: Path) -> None:
    """A key file from elsewhere: its key ids or bytes do not open the stored data keys."""
    factories.make_user()
    db.session.commit()
    state = keys.state(app)
    original = load_keyring_file(state.path)
    assert keys.check_keys_match_database() == []
    try:
        state.keyring = generate_keyring()  # same shape, other keys and ids
        state._derived = None
        problems = keys.check_keys_match_database()
        assert len(problems) == 1
        assert original.active_key_id in problems[0]
        assert "not in the keyring" in problems[0]
        # Same key id, other bytes: the wrapped keys do not open.
        impostor_file = tmp_path / "impostor.json"
        impostor = generate_keyring()
        text = json.loads(impostor.to_json())
        text["keys"] = {original.active_key_id: next(iter(text["keys"].values()))}
        text["active"] = original.active_key_id
        impostor_file.write_text(json.dumps(text))
        os.chmod(impostor_file, 0o600)
        state.keyring = load_keyring_file(impostor_file)
        state._derived = None
        problems = keys.check_keys_match_database()
        assert len(problems) == 1
        assert "does not open" in problems[0]
    finally:
        state.forget()
    assert keys.keyring().active_key_id == original.active_key_id
