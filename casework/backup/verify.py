"""Is a (restored) database usable with this keyring? Every encrypted value decrypts, every
attachment's chunks decrypt to its size, the data keys open, and the audit chain is intact."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import inspect, select
from tqdm import tqdm

from casework import audit
from casework.core.db import Base
from casework.core.extensions import db

BATCH = 500


@dataclass
class Verification:
    fields_read: int = 0
    shredded: int = 0  # fields of crypto-shredded records: unreadable by design
    unreadable: list[str] = field(default_factory=list)  # "table id column", never values
    # Search indexes that do not match their value under the key file's index key ("table id
    # column"): made with another index key, or a rotate-index that did not finish.
    stale_indexes: list[str] = field(default_factory=list)
    indexes_checked: int = 0
    # Required values set to NULL on a live (not erased, not shredded) record: "table id
    # column" (issue 13: verify passed a ciphertext set to NULL).
    missing: list[str] = field(default_factory=list)
    key_problems: list[str] = field(default_factory=list)
    attachments_read: int = 0
    attachment_bytes: int = 0
    # Attachments whose content is not in the database ("attachments id"): a file on disk not
    # yet moved in (not in a dump), or nothing at all (a restore without the files).
    attachments_on_disk: list[str] = field(default_factory=list)
    attachments_missing: list[str] = field(default_factory=list)
    audit_events: int = 0
    audit_problem: str | None = None

    @property
    def ok(self) -> bool:
        return not (
            self.unreadable
            or self.key_problems
            or self.audit_problem
            or self.stale_indexes
            or self.attachments_on_disk
            or self.attachments_missing
            or self.missing
        )


def encrypted_models() -> list[type]:
    return sorted(
        (m.class_ for m in Base.registry.mappers if getattr(m.class_, "encrypted_fields", ())),
        key=lambda model: model.__tablename__,
    )


def _records(model: type) -> Iterator[object]:
    ids = db.session.scalars(select(model.id).order_by(model.id)).all()  # type: ignore[attr-defined]
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        yield from db.session.scalars(select(model).where(model.id.in_(batch)))  # type: ignore[attr-defined]
        db.session.expunge_all()


def check_fields(result: Verification, show_progress: bool) -> None:
    from casework.encryption.fields import NORMALISERS, UnreadableRecord

    tables = set(inspect(db.engine).get_table_names())
    for model in encrypted_models():
        if model.__tablename__ not in tables:  # type: ignore[attr-defined]
            continue
        specs = model.encrypted_fields  # type: ignore[attr-defined]
        table = model.__tablename__  # type: ignore[attr-defined]
        for record in tqdm(_records(model), desc=table, disable=not show_progress):
            for spec in specs:
                if getattr(record, spec.ct_attr) is None:
                    if spec.required and _live(record):
                        result.missing.append(f"{table} {record.id} {spec.name}")  # type: ignore[attr-defined]
                    continue
                try:
                    value = spec.__get__(record)
                except UnreadableRecord as failure:
                    result.unreadable.append(f"{failure.table} {failure.record_id} {spec.name}")
                    continue
                if value is None:
                    result.shredded += 1
                    continue
                result.fields_read += 1
                if spec.index in NORMALISERS:
                    result.indexes_checked += 1
                    # Either generation while a rotate-index is unfinished: search finds both.
                    stored = getattr(record, spec.index_attr)
                    wanted = spec.search_indexes(model, value) or [None]
                    if stored not in wanted:
                        result.stale_indexes.append(f"{table} {record.id} {spec.name}")  # type: ignore[attr-defined]


def check_attachments(result: Verification, show_progress: bool) -> None:
    """Decrypt every attachment's chunks (one at a time, the plaintext discarded) and check
    its size; name (ids only) those that fail, are missing or are still files on disk."""
    from casework.cases.attachments.store import attachment_store
    from casework.cases.models import Attachment
    from casework.crypto import IntegrityError, ShreddedError
    from casework.encryption.storage import open_file

    if Attachment.__tablename__ not in set(inspect(db.engine).get_table_names()):
        return
    store = attachment_store()
    records: Iterator[Attachment] = _records(Attachment)  # type: ignore[assignment]
    for attachment in tqdm(records, desc="attachments", disable=not show_progress):
        where = f"attachments {attachment.id} file"
        if not store.exists(attachment.id):
            missing = attachment.storage_name is None
            (result.attachments_missing if missing else result.attachments_on_disk).append(where)
            continue
        size = 0
        try:
            for plain in open_file(
                attachment, attachment.wrapped_key, store.open_stream(attachment.id)
            ):
                size += len(plain)
        except ShreddedError:
            result.shredded += 1
            continue
        except IntegrityError:
            audit.record(
                "crypto.integrity_failure",
                target=attachment,
                outcome="failure",
                detail="file",
                durable=True,
            )
            result.unreadable.append(where)
            continue
        if size != attachment.size:
            result.unreadable.append(f"{where} (size {size}, expected {attachment.size})")
            continue
        result.attachments_read += 1
        result.attachment_bytes += size


def _live(record: object) -> bool:
    """Not erased, not crypto-shredded: its required values must be there."""
    owner = record.key_owner()  # type: ignore[attr-defined]
    data_key = owner.data_key
    return data_key is None or not data_key.destroyed


def check_audit(result: Verification) -> None:
    from casework.audit.chain import verify_chain
    from casework.audit.models import AuditEvent, AuditHead

    head = db.session.get(AuditHead, 1)
    events = db.session.execute(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000)
    ).scalars()
    checked, problem = verify_chain(events, head.seq if head else None, head.hash if head else None)
    result.audit_events = checked
    result.audit_problem = str(problem) if problem is not None else None


def verify_database(show_progress: bool = False) -> Verification:
    """Read everything that is encrypted and walk the audit chain; change nothing."""
    from casework.encryption import keys

    result = Verification(key_problems=keys.check_keys_match_database())
    # An integrity failure is audited after the read, in short transactions of its own: the
    # read never holds the audit chain's lock (issue 13: the live app stalled for 78 s).
    with audit.durable_events_afterwards():
        try:
            check_fields(result, show_progress)
            check_attachments(result, show_progress)
            check_audit(result)
        finally:
            db.session.rollback()
    return result
