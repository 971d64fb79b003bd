"""Encrypting rows in bulk, outside the ORM, exactly as the models would (seeding, imports).

`seal_row(Model, row_id, agency_id, cipher, values)` returns the `<field>_ct` and
`<field>_bidx` column values for `values`; rows written with it read back through the model
like any other. `new_data_key_row(owner_id)` gives a data key's row and its cipher.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casework.core.db import utcnow
from casework.crypto import FieldContext, encrypt_field, new_data_key
from casework.encryption import keys
from casework.encryption.fields import EncryptedRecord
from casework.encryption.models import DataKey


def new_data_key_row() -> tuple[dict[str, Any], AESGCM]:
    """A fresh data key: its `data_keys` row (wrapped by the active key) and its cipher."""
    plain = new_data_key()
    key = DataKey(id=uuid.uuid4())
    wrapper = keys.wrapper()
    row = {
        "id": key.id,
        "wrapped": wrapper.wrap(plain, key.context()),
        "kek_id": wrapper.active_key_id,
        "created_at": utcnow(),
        "destroyed_at": None,
    }
    return row, AESGCM(plain)


def seal_row(
    model: type[EncryptedRecord],
    row_id: uuid.UUID,
    agency_id: uuid.UUID,
    cipher: AESGCM,
    values: Mapping[str, str | None],
) -> dict[str, Any]:
    """The ciphertext (and blind index) columns of `model` for one row's plaintext `values`.
    Fields not in `values` are left out; unknown names are an error."""
    specs = {spec.name: spec for spec in model.encrypted_fields}
    unknown = set(values) - set(specs)
    if unknown:
        raise KeyError(f"{model.__name__} has no encrypted fields {sorted(unknown)}")
    table = model.__tablename__  # type: ignore[attr-defined]
    columns: dict[str, Any] = {}
    for name, value in values.items():
        spec = specs[name]
        if value is None:
            columns[spec.ct_attr] = None
            if spec.index:
                columns[spec.index_attr] = None
            continue
        context = FieldContext(table=table, column=name, row_id=row_id, agency_id=agency_id)
        columns[spec.ct_attr] = encrypt_field(cipher, value, context)
        if spec.index:
            columns[spec.index_attr] = spec.blind_index(model, value)
    return columns
