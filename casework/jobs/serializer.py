"""Queue messages as JSON, not pickle: whoever can write to the queue's storage cannot make a
worker run code, and arguments are forced to be plain (ids, codes, numbers)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from huey.registry import Message
from huey.serializer import Serializer

_DATETIME = "$datetime"


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {_DATETIME: value.isoformat()}
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _encode(item) for key, item in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"a queue message holds plain values only, not {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_DATETIME}:
            return datetime.fromisoformat(value[_DATETIME])
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


class JsonSerializer(Serializer):
    """Huey's `Message` as a JSON object; pipelines, callbacks and chords are refused (the
    outbox rows carry what happens next, not the queue)."""

    def _serialize(self, data: Any) -> bytes:
        if not isinstance(data, Message):
            raise TypeError("only task messages go through the queue (results are off)")
        if data.on_complete is not None or data.on_error is not None or data.chord_config:
            raise TypeError("pipelines, callbacks and chords are not used")
        document = {field: _encode(getattr(data, field)) for field in Message._fields}
        return json.dumps(document, separators=(",", ":")).encode("utf-8")

    def _deserialize(self, data: bytes) -> Any:
        document = json.loads(data)
        known = {key: _decode(value) for key, value in document.items() if key in Message._fields}
        if isinstance(known.get("args"), list):
            known["args"] = tuple(known["args"])
        return Message(**known)
