"""Encrypted model attributes: one line to declare, ordinary attribute access to use.

    class User(EncryptedRecord, OwnsDataKey, UUIDPrimaryKey, Base):
        totp_secret = encrypted()
        full_name = encrypted(index="name")      # plus an exact-match blind index

declares a `totp_secret_ct` (ciphertext) column, and for indexed fields a `<name>_bidx`
column. Reading `user.totp_secret` decrypts; assigning keeps the plaintext in memory only and
the session encrypts it (and computes its blind index) at flush, so the ciphertext is always
bound to the record's final table, column, row id and owning agency. There is no way to store
the plaintext by accident: the plaintext attribute is not a column.

The key that protects a field is the data key of the record's `key_owner()`: the record itself
(`OwnsDataKey`), or for a child record (a case note) the case it belongs to.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, ClassVar

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import BigInteger, ForeignKey, LargeBinary, event, inspect
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, relationship
from sqlalchemy.orm.attributes import flag_dirty, flag_modified

from casework.crypto import (
    FieldContext,
    IntegrityError,
    ShreddedError,
    encrypt_field,
    new_data_key,
    normalise_date,
    normalise_identity_number,
    normalise_name,
    normalise_phone,
    normalise_text,
)
from casework.crypto.aead import decrypt_field_at
from casework.encryption import keys
from casework.encryption.models import DataKey

NORMALISERS: dict[str, Callable[[str], str]] = {
    "text": normalise_text,
    "name": normalise_name,
    "identity": normalise_identity_number,
    "date": normalise_date,
    "phone": normalise_phone,
}
DEFAULT_INDEX_BITS = 16
_PLAIN_CACHE = "_casework_plaintexts"
_PENDING = "_casework_pending"  # names of fields assigned since the last flush
_DATA_KEY_CACHE = "_casework_data_key"
_WRAPPED_CACHE = "_casework_wrapped"  # the wrapped bytes the cached key came from
_CIPHER_CACHE = "_casework_cipher"
_CONTEXTS = "_casework_contexts"
_RECORD_CIPHER = "_casework_record_cipher"


class UnreadableRecord(Exception):
    """A field failed its integrity check: this record only; it was audited."""

    def __init__(self, table: str, record_id: object, column: str) -> None:
        super().__init__(f"{table} {record_id}: field {column} failed its integrity check")
        self.table, self.record_id, self.column = table, record_id, column


class Encrypted:
    """The descriptor behind `encrypted()`."""

    def __init__(self, index: str | None, bits: int, required: bool = False) -> None:
        if index is not None and index not in NORMALISERS:
            raise ValueError(f"unknown index kind {index!r}; use one of {sorted(NORMALISERS)}")
        self.index = index
        self.bits = bits
        # Every live record has a value (the operations refuse an empty one): a NULL
        # ciphertext outside an erased or shredded record is damage (`backup verify`).
        self.required = required
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @property
    def ct_attr(self) -> str:
        return f"{self.name}_ct"

    @property
    def index_attr(self) -> str:
        return f"{self.name}_bidx"

    def index_column_name(self, owner: type) -> str:
        return f"{owner.__tablename__}.{self.name}"  # type: ignore[attr-defined]

    def __get__(self, record: Any, owner: type | None = None) -> Any:
        if record is None:
            return self
        cache = record.__dict__.setdefault(_PLAIN_CACHE, {})
        if self.name in cache:
            return cache[self.name]
        ciphertext = getattr(record, self.ct_attr)
        if ciphertext is None:
            return None
        try:
            cipher = record.__dict__.get(_RECORD_CIPHER) or _cipher_of(record)
            value = decrypt_field_at(cipher, ciphertext, _associated_data(record, self))
        except ShreddedError:
            return None
        except IntegrityError as exc:
            _audit_integrity_failure(record, self.name)
            raise UnreadableRecord(type(record).__tablename__, record.id, self.name) from exc
        if not isinstance(value, str):
            _audit_integrity_failure(record, self.name)
            raise UnreadableRecord(type(record).__tablename__, record.id, self.name)
        cache[self.name] = value
        return value

    def __set__(self, record: Any, value: str | None) -> None:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{self.name} takes text")
        record.__dict__.setdefault(_PLAIN_CACHE, {})[self.name] = value
        record.__dict__.setdefault(_PENDING, set()).add(self.name)
        state = inspect(record)
        if state.persistent:  # so the flush visits this record and seals the field
            if self.ct_attr in state.dict:
                flag_modified(record, self.ct_attr)
            else:  # never loaded (left out of the INSERT): loading it would drop the cache
                flag_dirty(record)

    def seal(self, record: Any) -> None:
        """Encrypt the in-memory value into the columns (called at flush)."""
        value = record.__dict__[_PLAIN_CACHE].get(self.name)
        if value is None:
            setattr(record, self.ct_attr, None)
            if self.index:
                setattr(record, self.index_attr, None)
            return
        context = field_context(record, self)
        setattr(record, self.ct_attr, encrypt_field(_cipher_of(record), value, context))
        if self.index:
            setattr(record, self.index_attr, self.blind_index(type(record), value))

    def blind_index(self, owner: type, value: str) -> int | None:
        """The blind index of `value` (None when nothing is left after normalising)."""
        if self.index is None:
            raise TypeError(f"{self.name} has no blind index")
        normalised = NORMALISERS[self.index](value)
        if not normalised:
            return None
        return keys.indexer().index(self.index_column_name(owner), normalised, self.bits)

    def search_indexes(self, owner: type, value: str) -> list[int]:
        """The blind indexes a search for `value` looks up: one per index key in use (two
        while a `keys rotate-index` is unfinished); empty when nothing is left after
        normalising."""
        if self.index is None:
            raise TypeError(f"{self.name} has no blind index")
        normalised = NORMALISERS[self.index](value)
        if not normalised:
            return []
        column = self.index_column_name(owner)
        found = [each.index(column, normalised, self.bits) for each in keys.search_indexers()]
        return list(dict.fromkeys(found))

    def matches(self, stored: str | None, wanted: str) -> bool:
        """Exact comparison after normalisation (the index only narrows the candidates)."""
        if stored is None or self.index is None:
            return False
        normalise = NORMALISERS[self.index]
        return normalise(stored) == normalise(wanted)


def encrypted(
    *, index: str | None = None, bits: int = DEFAULT_INDEX_BITS, required: bool = False
) -> Any:
    """Declare an encrypted text attribute (optionally with a blind index of `index` kind;
    `required`: never NULL on a live record, which `backup verify` checks)."""
    return Encrypted(index, bits, required)


class OwnsDataKey:
    """A record with its own data key (a case; a user for their second-factor secret)."""

    data_key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("data_keys.id"))

    @declared_attr
    def data_key(cls) -> Mapped[DataKey | None]:
        return relationship(DataKey, lazy="joined")

    @property
    def is_shredded(self) -> bool:
        return self.data_key is not None and self.data_key.destroyed


class EncryptedRecord:
    """Mixin for models with `encrypted()` attributes. Adds their columns before mapping."""

    encrypted_fields: ClassVar[tuple[Encrypted, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        fields = tuple(v for v in cls.__dict__.values() if isinstance(v, Encrypted))
        for spec in fields:
            setattr(cls, spec.ct_attr, mapped_column(spec.ct_attr, LargeBinary, nullable=True))
            if spec.index:
                setattr(
                    cls,
                    spec.index_attr,
                    mapped_column(spec.index_attr, BigInteger, nullable=True, index=True),
                )
        cls.encrypted_fields = tuple(getattr(cls, "encrypted_fields", ())) + fields
        super().__init_subclass__(**kwargs)
        if fields:
            # Expiring or refreshing the row drops what was decrypted or assigned in memory.
            event.listen(cls, "expire", _forget_on_expire)
            event.listen(cls, "refresh", _forget_on_expire)
        if fields and "agency_id" in cls.__mapper__.c:  # type: ignore[attr-defined]
            event.listen(cls.agency_id, "set", _reencrypt_for_new_agency)  # type: ignore[attr-defined]

    def key_owner(self) -> OwnsDataKey:
        """The record whose data key protects this one (itself, by default)."""
        if not isinstance(self, OwnsDataKey):
            raise TypeError(f"{type(self).__name__} must own a data key or name its owner")
        return self

    def encryption_agency_id(self) -> uuid.UUID:
        return self.agency_id  # type: ignore[attr-defined,no-any-return]


def field_context(record: Any, spec: Encrypted) -> FieldContext:
    agency_id = record.encryption_agency_id()
    if record.id is None or agency_id is None:
        raise ValueError(f"{type(record).__name__} needs an id and an agency before encryption")
    return FieldContext(
        table=type(record).__tablename__,
        column=spec.name,
        row_id=record.id,
        agency_id=agency_id,
    )


def _associated_data(record: Any, spec: Encrypted) -> bytes:
    """The field's associated data, built for all fields of the record at once and kept on
    the instance (dropped on expiry or an agency change)."""
    contexts = record.__dict__.get(_CONTEXTS)
    if contexts is None:
        agency_id = record.encryption_agency_id()
        if record.id is None or agency_id is None:
            raise ValueError(f"{type(record).__name__} needs an id and an agency")
        contexts = FieldContext.row_associated_data(
            type(record).__tablename__,
            [field.name for field in type(record).encrypted_fields],
            record.id,
            agency_id,
        )
        record.__dict__[_CONTEXTS] = contexts
    return contexts[spec.name]  # type: ignore[no-any-return]


def _cipher_of(record: Any) -> AESGCM:
    """An AES-GCM object for the record's data key, built once per loaded data key."""
    owner = record.key_owner()
    data_key = owner.data_key
    cached = data_key.__dict__.get(_CIPHER_CACHE) if data_key is not None else None
    if cached is not None and data_key.__dict__.get(_WRAPPED_CACHE) == data_key.wrapped:
        record.__dict__[_RECORD_CIPHER] = cached
        return cached  # type: ignore[no-any-return]
    cipher = AESGCM(data_key_of(record))
    owner.data_key.__dict__[_CIPHER_CACHE] = cipher
    record.__dict__[_RECORD_CIPHER] = cipher  # dropped on expiry (commit) with the rest
    return cipher


def data_key_of(record: EncryptedRecord) -> bytes:
    """The plaintext data key of the record's key owner, created on first use."""
    owner = record.key_owner()
    data_key = owner.data_key
    if data_key is None:
        plain = new_data_key()
        wrapper = keys.wrapper()
        data_key = DataKey(id=uuid.uuid4())
        data_key.wrapped = wrapper.wrap(plain, data_key.context())
        data_key.kek_id = wrapper.active_key_id
        owner.data_key = data_key
        data_key.__dict__[_DATA_KEY_CACHE] = plain
        data_key.__dict__[_WRAPPED_CACHE] = data_key.wrapped
        return plain
    if data_key.wrapped is None:
        raise ShreddedError("the record's data key was destroyed")
    cached = data_key.__dict__.get(_DATA_KEY_CACHE)
    if cached is not None and data_key.__dict__.get(_WRAPPED_CACHE) == data_key.wrapped:
        return cached  # type: ignore[no-any-return]
    plain = keys.wrapper().unwrap(data_key.wrapped, data_key.context())
    data_key.__dict__[_DATA_KEY_CACHE] = plain
    data_key.__dict__[_WRAPPED_CACHE] = data_key.wrapped
    return plain


def forget_plaintexts(record: Any) -> None:
    """Drop the decrypted values held in memory (after shredding, for instance)."""
    record.__dict__.pop(_PLAIN_CACHE, None)
    record.__dict__.pop(_PENDING, None)
    record.__dict__.pop(_CONTEXTS, None)
    record.__dict__.pop(_RECORD_CIPHER, None)


def _forget_on_expire(record: Any, *args: Any) -> None:
    if record is not None:  # None: the instance was garbage-collected; nothing to forget
        forget_plaintexts(record)


def _reencrypt_for_new_agency(record: Any, value: Any, oldvalue: Any, initiator: Any) -> Any:
    """The agency is part of each ciphertext's binding: moving a record re-encrypts it."""
    if not isinstance(oldvalue, uuid.UUID) or value == oldvalue:
        return value
    for spec in type(record).encrypted_fields:
        if getattr(record, spec.ct_attr, None) is not None or spec.name in record.__dict__.get(
            _PLAIN_CACHE, {}
        ):
            spec.__set__(record, spec.__get__(record))  # read under the old agency, reseal
    record.__dict__.pop(_CONTEXTS, None)
    return value


@event.listens_for(Session, "before_flush")
def _seal_pending_fields(session: Session, flush_context: Any, instances: Any) -> None:
    for record in list(session.new) + list(session.dirty):
        pending = record.__dict__.get(_PENDING)
        if not pending or not isinstance(record, EncryptedRecord):
            continue
        for spec in type(record).encrypted_fields:
            if spec.name in pending:
                spec.seal(record)
        pending.clear()


def _audit_integrity_failure(record: Any, column: str) -> None:
    from flask import has_request_context
    from flask_login import current_user

    from casework import audit

    actor = current_user if has_request_context() and current_user.is_authenticated else None
    audit.record(
        "crypto.integrity_failure",
        actor=actor,
        target=record,
        outcome="failure",
        detail=column,
        durable=True,
    )
