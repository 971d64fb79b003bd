"""`flask keys ...`: generate, status, rotate, retire."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from flask import current_app
from sqlalchemy import func, select, update
from tqdm import tqdm

from casework import audit
from casework.core.db import Base
from casework.core.extensions import db
from casework.crypto import (
    CryptoError,
    Keyring,
    KeyringError,
    generate_keyring,
    rewrap,
    write_keyring_file,
)
from casework.encryption import custody, keys
from casework.encryption.fields import NORMALISERS, OwnsDataKey, UnreadableRecord
from casework.encryption.models import DataKey

keys_group = click.Group("keys", help="Key management: generate, status, rotate, retire.")
BATCH = 1000
RELOAD_MARGIN_SECONDS = 0.5
RECOMPUTE_ATTEMPTS = 5  # a record edited this many times during its recompute is named


def _key_file() -> Path:
    if keys.state().env_value:
        raise click.ClickException(
            "Keys come from the CASEWORK_KEYS environment variable: change them there."
        )
    return Path(current_app.config["KEY_FILE"])


@keys_group.command("generate")
@click.option("--path", type=click.Path(dir_okay=False), help="Where to write the key file.")
def generate(path: str | None) -> None:
    """Write a new key file (mode 0600). Refuses to overwrite an existing one."""
    target = Path(path or current_app.config["KEY_FILE"])
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_keyring_file(target, generate_keyring())
    except KeyringError as exc:
        raise click.ClickException(f"{exc}.") from None
    click.echo(f"New key file written to {target} (readable by this user only).")


def _owner_models() -> list[type]:
    """Every model with data keys of its own (cases, users), whatever else it mixes in."""
    return sorted(
        (m.class_ for m in Base.registry.mappers if issubclass(m.class_, OwnsDataKey)),
        key=lambda model: str(getattr(model, "__tablename__", "")),
    )


@keys_group.command("status")
def status() -> None:
    """Active key, and how many data keys, and whose (cases, users), each key protects."""
    ring = keys.keyring()
    data_keys = dict(
        db.session.execute(
            select(DataKey.kek_id, func.count())
            .where(DataKey.wrapped.is_not(None))
            .group_by(DataKey.kek_id)
        ).all()
    )
    owners: dict[str, Counter[str]] = {}
    for model in _owner_models():
        counts: Counter[str] = Counter()
        for kek_id, count in db.session.execute(
            select(DataKey.kek_id, func.count())
            .join(model, model.data_key_id == DataKey.id)  # type: ignore[attr-defined]
            .where(DataKey.wrapped.is_not(None))
            .group_by(DataKey.kek_id)
        ).all():
            counts[kek_id] += count
        owners[str(getattr(model, "__tablename__", model.__name__))] = counts
    shredded = db.session.scalar(select(func.count()).where(DataKey.wrapped.is_(None)))
    click.echo(f"Active key: {ring.active_key_id}")
    heading = "".join(f" {name:>10}" for name in owners)
    click.echo(f"{'key':<24} {'state':<8} {'data keys':>10}{heading}")
    for kid in sorted(set(ring.key_ids) | set(data_keys)):
        state = (
            "active" if kid == ring.active_key_id else ("old" if kid in ring.key_ids else "MISSING")
        )
        columns = "".join(f" {counts.get(kid, 0):>10}" for counts in owners.values())
        click.echo(f"{kid:<24} {state:<8} {data_keys.get(kid, 0):>10}{columns}")
    click.echo(f"Shredded data keys: {shredded}")
    for line in custody.check_journal():
        click.echo(f"Unfinished: {line}")


def _rewrap_all(show_progress: bool, skipped: list[str] | None = None) -> int:
    """Rewrap, in batches, every data key not under the active key. Safe to interrupt. A data
    key that cannot be unwrapped (damaged, or under a key that is gone) is skipped and its id
    added to `skipped`: it never blocks the others (issue 13: one bad record stopped every
    rotation at the same place, unnamed)."""
    wrapper = keys.wrapper()
    active = wrapper.active_key_id
    pending = select(DataKey).where(DataKey.wrapped.is_not(None), DataKey.kek_id != active)
    total = db.session.scalar(select(func.count()).select_from(pending.subquery())) or 0
    done = 0
    after = None  # keyset: skipped keys stay pending, so the next batch starts past them
    with tqdm(total=total, unit="key", disable=not show_progress, desc="Rewrapping") as bar:
        while True:
            query = pending if after is None else pending.where(DataKey.id > after)
            batch = db.session.scalars(
                query.order_by(DataKey.id).limit(BATCH).with_for_update(skip_locked=True)
            ).all()
            if not batch:
                break
            after = batch[-1].id
            for data_key in batch:
                if data_key.wrapped is None:  # shredded meanwhile
                    continue
                try:
                    data_key.wrapped = rewrap(wrapper, data_key.wrapped, data_key.context())
                except CryptoError:
                    if skipped is not None:
                        skipped.append(f"data_keys {data_key.id}")
                    continue
                data_key.kek_id = active
            db.session.commit()
            db.session.expunge_all()  # keep memory flat over any number of keys
            done += len(batch)
            bar.update(len(batch))
    return done


@contextlib.contextmanager
def _held(path: Path) -> Iterator[custody.Custody]:
    """The key file held for one operation; a refusal is one line and exit status 1."""
    try:
        with custody.exclusive(path) as held:
            yield held
    except custody.CustodyError as exc:
        raise click.ClickException(str(exc)) from None


def _behind(active: str) -> int:
    return int(
        db.session.scalar(
            select(func.count()).where(DataKey.wrapped.is_not(None), DataKey.kek_id != active)
        )
        or 0
    )


@keys_group.command("rotate")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar.")
def rotate(progress: bool) -> None:
    """Make a new active key and rewrap every data key under it (resumable; one at a time)."""
    with _held(_key_file()) as held:
        ring = held.keyring
        earlier = next(iter(custody.unfinished("rotate")), None)
        if earlier is not None:
            click.echo(f"Resuming {earlier.describe()}.")
            operation = earlier.id
            made = earlier.key_id is not None and earlier.key_id in ring.key_ids
        elif behind := _behind(ring.active_key_id):
            click.echo(
                f"Resuming: {behind} data keys are not yet under the active key "
                f"{ring.active_key_id}."
            )
            operation, made = custody.start("rotate", ring.active_key_id), True
        else:
            operation, made = custody.start("rotate"), False
        if not made:
            try:
                custody.save(held, ring.with_new_active_key())
            except custody.CustodyError as exc:
                raise click.ClickException(str(exc)) from None
            custody.note_key(operation, held.keyring.active_key_id)
            audit.record("keys.rotated", detail=held.keyring.active_key_id)
            db.session.commit()
            click.echo(f"New active key {held.keyring.active_key_id}; older keys now only decrypt.")
        # Running apps must know the new key before any data key is wrapped under it (the
        # killed-rotation test found pages unable to open a just-rewrapped key for up to
        # RECHECK_SECONDS).
        _wait_for_running_apps(held.path)
        keys.state().forget()
        skipped: list[str] = []
        count = _rewrap_all(progress, skipped)
        left = _behind(held.keyring.active_key_id)
        db.session.rollback()
        _refuse_skipped(skipped, f"everything else is under key {held.keyring.active_key_id}")
        if left:
            raise click.ClickException(
                f"Rewrapped {count} data keys; {left} are still under an older key: run "
                "`keys rotate` again to resume."
            )
        custody.finish(operation)
    click.echo(f"Rewrapped {count} data keys. Nothing is left under an older key.")


@keys_group.command("rotate-index")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar.")
def rotate_index(progress: bool) -> None:
    """Make a new blind-index key and recompute every blind index with it (resumable).

    In three steps, so that searches find everyone at every moment (issue 13): the new key is
    added as the next one (searched, not written with) and running apps are given time to
    read the key file; then new indexes are written with it and the old one is still searched;
    every index is recomputed; only then is the old key dropped. Killed at any point, the same
    command resumes where the key file says it was."""
    with _held(_key_file()) as held:
        earlier = next(iter(custody.unfinished("rotate_index")), None)
        ring = held.keyring
        operation = earlier.id if earlier is not None else None
        if ring.next_index_key is not None or ring.previous_index_key is not None:
            click.echo("Resuming `keys rotate-index` (the key file holds two index keys).")
        elif earlier is not None and earlier.key_id is not None:
            # Interrupted by an earlier version, which replaced the index key at once.
            click.echo(f"Resuming {earlier.describe()}: recomputing with the key file's index key.")
        else:
            operation = operation or custody.start("rotate_index")
            _save_index_step(held, held.keyring.with_next_index_key())
            custody.note_key(operation, "index")
            audit.record("keys.index_rotated")
            db.session.commit()
            click.echo("New blind-index key added; searches look up both keys until the end.")
        if operation is None:
            operation = custody.start("rotate_index", "index")
        if held.keyring.next_index_key is not None:
            _wait_for_running_apps(held.path)
            _save_index_step(held, held.keyring.with_next_index_key_in_use())
        _wait_for_running_apps(held.path)
        keys.state().forget()
        skipped: list[str] = []
        count = recompute_blind_indexes(progress, skipped)
        # The old key stays searched while a record is skipped: the operation is unfinished.
        _refuse_skipped(skipped, f"{count} blind indexes were recomputed")
        if held.keyring.previous_index_key is not None:
            _save_index_step(held, held.keyring.without_previous_index_key())
        custody.finish(operation)
    click.echo(f"Recomputed {count} blind indexes.")


def _save_index_step(held: custody.Custody, ring: Keyring) -> None:
    try:
        custody.save(held, ring)
    except custody.CustodyError as exc:
        raise click.ClickException(str(exc)) from None
    keys.state().forget()


def _wait_for_running_apps(path: Path) -> None:
    """Running apps re-read a changed key file within `keys.RECHECK_SECONDS`: once that long
    has passed since it was written, every one of them searches (and writes) with what the
    file says now (also when resuming right after a kill)."""
    written = path.stat().st_mtime
    time.sleep(max(0.0, written + keys.RECHECK_SECONDS + RELOAD_MARGIN_SECONDS - time.time()))


def recompute_blind_indexes(show_progress: bool = False, skipped: list[str] | None = None) -> int:
    """Decrypt every indexed field and write its index under the current index key. A value
    that cannot be read is skipped ("table id column" added to `skipped`; its integrity
    failure is audited) and never blocks the others.

    Edits go on meanwhile: each index is written only if its record's ciphertext is still the
    one decrypted (a conditional UPDATE); a record changed in between is read again, so an
    index never describes an older value (the audit: names edited during a rotate-index could
    never be found). Reads and writes are separate short transactions."""
    count = 0
    with audit.durable_events_afterwards():
        for mapper in list(Base.registry.mappers):
            model = mapper.class_
            specs = [s for s in getattr(model, "encrypted_fields", ()) if s.index in NORMALISERS]
            if not specs:
                continue
            ids = db.session.scalars(select(model.id).order_by(model.id)).all()
            db.session.rollback()
            for start in tqdm(
                range(0, len(ids), BATCH), disable=not show_progress, desc=model.__tablename__
            ):
                pending = list(ids[start : start + BATCH])
                for _attempt in range(RECOMPUTE_ATTEMPTS):
                    done, pending = _recompute_batch(model, specs, pending, skipped)
                    count += done
                    if not pending:
                        break
                else:
                    table = model.__tablename__
                    if skipped is not None:
                        skipped.extend(f"{table} {each} (kept changing)" for each in pending)
    return count


def _recompute_batch(
    model: Any, specs: list[Any], ids: list[Any], skipped: list[str] | None
) -> tuple[int, list[Any]]:
    """Recompute the indexes of the records `ids`: (indexes written, ids changed meanwhile)."""
    plans: list[tuple[Any, dict[str, Any], dict[str, Any]]] = []
    for record in db.session.scalars(select(model).where(model.id.in_(ids))):
        read: dict[str, Any] = {}
        values: dict[str, Any] = {}
        for spec in specs:
            try:
                value = spec.__get__(record)
            except UnreadableRecord as failure:
                if skipped is not None:
                    skipped.append(f"{failure.table} {failure.record_id} {spec.name}")
                continue
            read[spec.ct_attr] = getattr(record, spec.ct_attr)
            values[spec.index_attr] = spec.blind_index(model, value) if value is not None else None
        if values:
            plans.append((record.id, read, values))
    db.session.rollback()  # end the read: the writes below each check what they read
    db.session.expunge_all()  # keep memory flat over any number of records
    table = model.__table__
    changed = []
    written = 0
    for record_id, read, values in plans:
        conditions = [
            table.c[name] == ciphertext if ciphertext is not None else table.c[name].is_(None)
            for name, ciphertext in read.items()
        ]
        result = db.session.execute(
            update(table).where(table.c.id == record_id, *conditions).values(values)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            written += len(values)
        else:
            changed.append(record_id)
    db.session.commit()
    return written, changed


def _refuse_skipped(skipped: list[str], what: str) -> None:
    """Exit non-zero naming (ids only) what could not be read, after doing all the rest."""
    if not skipped:
        return
    for where in skipped[:50]:
        click.echo(f"Skipped (cannot be read): {where}", err=True)
    if len(skipped) > 50:
        click.echo(f"... and {len(skipped) - 50} more", err=True)
    raise click.ClickException(
        f"{len(skipped)} record(s) could not be read and were skipped; {what}. Restore them "
        "from a backup (or erase them), then run the command again."
    )


@keys_group.command("retire")
@click.argument("key_id")
def retire(key_id: str) -> None:
    """Remove an old key from the keyring. Refuses while anything still uses it."""
    with _held(_key_file()) as held:
        ring = held.keyring
        if key_id not in ring.key_ids:
            raise click.ClickException(f"No key {key_id} in the keyring.")
        if key_id == ring.active_key_id:
            raise click.ClickException("That is the active key: rotate first.")
        if pending := custody.unfinished():
            raise click.ClickException(
                f"{pending[0].describe()} did not finish: run it again to finish it first."
            )
        in_use = db.session.scalar(
            select(func.count()).where(DataKey.kek_id == key_id, DataKey.wrapped.is_not(None))
        )
        if in_use:
            raise click.ClickException(
                f"Key {key_id} still protects {in_use} data keys: run `keys rotate` to finish."
            )
        operation = custody.start("retire", key_id)
        try:
            custody.save(held, ring.without_key(key_id), dropping=key_id)
        except custody.CustodyError as exc:
            raise click.ClickException(str(exc)) from None
        keys.state().forget()
        audit.record("keys.retired", detail=key_id)
        db.session.commit()
        custody.finish(operation)
    click.echo(f"Key {key_id} retired.")


__all__ = ["KeyringError", "keys_group"]
