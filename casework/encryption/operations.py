"""Crypto-shredding: destroying a record's data key erases every field and file it protects."""

from __future__ import annotations

import uuid
from typing import Any

from casework import audit
from casework.core.db import utcnow
from casework.encryption.fields import OwnsDataKey, forget_plaintexts
from casework.encryption.models import DataKey

SHREDDED_UNUSED = "-"  # kek_id of a key destroyed before it ever wrapped anything


def shred_record(record: OwnsDataKey, *, actor: Any, reason: str) -> bool:
    """Destroy `record`'s data key. Every encrypted field and file under it becomes
    unrecoverable (ciphertexts may stay; nothing can open them); clear, coded columns stay for
    statistics. Returns False if it was already shredded. `reason` is a code, never free text.
    """
    data_key = record.data_key
    if data_key is not None and data_key.destroyed:
        return False
    if data_key is None:
        # Never had a key: record a destroyed one, so no new key is ever made for it.
        record.data_key = DataKey(id=uuid.uuid4(), kek_id=SHREDDED_UNUSED)
        data_key = record.data_key
    data_key.wrapped = None
    data_key.destroyed_at = utcnow()
    data_key.__dict__.pop("_casework_data_key", None)
    data_key.__dict__.pop("_casework_cipher", None)
    forget_plaintexts(record)
    audit.record("crypto.shredded", actor=actor, target=record, detail=reason)
    return True
