"""Field-level encryption, framework-independent (no Flask or SQLAlchemy imports).

* `keyring`: key-encryption keys (one active), the blind-index key and the signing key;
  `keyfile` loads them from a 0600 JSON file or an environment variable, and writes them.
* `keywrap`: the `KeyWrapper` interface (local keyring now; KMS or Vault transit later).
* `envelope`: a data key per record, wrapped by a KEK; rotation rewraps; deleting the wrapped
  key crypto-shreds the record.
* `aead`: AES-256-GCM field values bound to table, column, row id and agency.
* `normalise`, `blind_index`: truncated HMAC indexes over normalised values for exact search.
* `files`: chunked AES-GCM streams for attachments.
"""

from __future__ import annotations

from casework.crypto.aead import (
    FieldContext,
    decrypt_bytes,
    decrypt_field,
    decrypt_text,
    encrypt_field,
)
from casework.crypto.blind_index import BitsPlan, BlindIndexer, plan_bits, recommend_bits
from casework.crypto.envelope import (
    DataKeyCache,
    data_key_context,
    needs_rewrap,
    new_data_key,
    rewrap,
    unwrap_data_key,
    wrap_data_key,
)
from casework.crypto.errors import (
    CryptoError,
    FileTooLarge,
    IntegrityError,
    KeyNotFound,
    KeyringError,
    ShreddedError,
)
from casework.crypto.files import (
    decrypt_stream,
    encrypt_stream,
    is_storage_name,
    iter_decrypt,
    new_file_key,
    open_pieces,
    random_storage_name,
    seal_pieces,
    split_pieces,
    unwrap_file_key,
    wrap_file_key,
)
from casework.crypto.keyfile import (
    load_keyring_env,
    load_keyring_file,
    parse_keyring,
    write_keyring_file,
)
from casework.crypto.keyring import KeyEntry, Keyring, generate_keyring
from casework.crypto.keywrap import KeyWrapper, LocalKeyWrapper
from casework.crypto.normalise import (
    normalise_date,
    normalise_identity_number,
    normalise_name,
    normalise_phone,
    normalise_text,
)

__all__ = [
    "BitsPlan",
    "BlindIndexer",
    "CryptoError",
    "DataKeyCache",
    "FieldContext",
    "FileTooLarge",
    "IntegrityError",
    "KeyEntry",
    "KeyNotFound",
    "KeyWrapper",
    "Keyring",
    "KeyringError",
    "LocalKeyWrapper",
    "ShreddedError",
    "data_key_context",
    "decrypt_bytes",
    "decrypt_field",
    "decrypt_stream",
    "decrypt_text",
    "encrypt_field",
    "encrypt_stream",
    "generate_keyring",
    "is_storage_name",
    "iter_decrypt",
    "load_keyring_env",
    "load_keyring_file",
    "needs_rewrap",
    "new_data_key",
    "new_file_key",
    "normalise_date",
    "normalise_identity_number",
    "normalise_name",
    "normalise_phone",
    "normalise_text",
    "open_pieces",
    "parse_keyring",
    "plan_bits",
    "random_storage_name",
    "recommend_bits",
    "rewrap",
    "seal_pieces",
    "split_pieces",
    "unwrap_data_key",
    "unwrap_file_key",
    "wrap_data_key",
    "wrap_file_key",
    "write_keyring_file",
]
