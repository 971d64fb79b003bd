"""`flask keys ...`: generate, status, rotate, retire."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import func, select
from tqdm import tqdm

from casework import audit
from casework.core.db import Base
from casework.core.extensions import db
from casework.crypto import KeyringError, generate_keyring, rewrap, write_keyring_file
from casework.encryption import keys
from casework.encryption.fields import NORMALISERS, EncryptedRecord, OwnsDataKey
from casework.encryption.models import DataKey

keys_group = click.Group("keys", help="Key management: generate, status, rotate, retire.")
BATCH = 1000


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
    return [
        m.class_
        for m in Base.registry.mappers
        if issubclass(m.class_, OwnsDataKey) and issubclass(m.class_, EncryptedRecord)
    ]


@keys_group.command("status")
def status() -> None:
    """Active key, and how many data keys and records each key still protects."""
    ring = keys.keyring()
    data_keys = dict(
        db.session.execute(
            select(DataKey.kek_id, func.count())
            .where(DataKey.wrapped.is_not(None))
            .group_by(DataKey.kek_id)
        ).all()
    )
    rows: Counter[str] = Counter()
    for model in _owner_models():
        for kek_id, count in db.session.execute(
            select(DataKey.kek_id, func.count())
            .join(model, model.data_key_id == DataKey.id)  # type: ignore[attr-defined]
            .where(DataKey.wrapped.is_not(None))
            .group_by(DataKey.kek_id)
        ).all():
            rows[kek_id] += count
    shredded = db.session.scalar(select(func.count()).where(DataKey.wrapped.is_(None)))
    click.echo(f"Active key: {ring.active_key_id}")
    click.echo(f"{'key':<24} {'state':<8} {'data keys':>10} {'records':>10}")
    for kid in sorted(set(ring.key_ids) | set(data_keys)):
        state = (
            "active" if kid == ring.active_key_id else ("old" if kid in ring.key_ids else "MISSING")
        )
        click.echo(f"{kid:<24} {state:<8} {data_keys.get(kid, 0):>10} {rows.get(kid, 0):>10}")
    click.echo(f"Shredded data keys: {shredded}")


def _rewrap_all(show_progress: bool) -> int:
    """Rewrap, in batches, every data key not under the active key. Safe to interrupt."""
    wrapper = keys.wrapper()
    active = wrapper.active_key_id
    pending = select(DataKey).where(DataKey.wrapped.is_not(None), DataKey.kek_id != active)
    total = db.session.scalar(select(func.count()).select_from(pending.subquery())) or 0
    done = 0
    with tqdm(total=total, unit="key", disable=not show_progress, desc="Rewrapping") as bar:
        while True:
            batch = db.session.scalars(
                pending.order_by(DataKey.id).limit(BATCH).with_for_update(skip_locked=True)
            ).all()
            if not batch:
                break
            for data_key in batch:
                if data_key.wrapped is None:  # shredded meanwhile
                    continue
                data_key.wrapped = rewrap(wrapper, data_key.wrapped, data_key.context())
                data_key.kek_id = active
            db.session.commit()
            db.session.expunge_all()  # keep memory flat over any number of keys
            done += len(batch)
            bar.update(len(batch))
    return done


@keys_group.command("rotate")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar.")
def rotate(progress: bool) -> None:
    """Make a new active key and rewrap every data key under it (resumable)."""
    path = _key_file()
    ring = keys.keyring()
    unfinished = db.session.scalar(
        select(func.count()).where(
            DataKey.wrapped.is_not(None), DataKey.kek_id != ring.active_key_id
        )
    )
    if unfinished:
        click.echo(
            f"Resuming: {unfinished} data keys are not yet under the active key "
            f"{ring.active_key_id}."
        )
    else:
        ring = ring.with_new_active_key()
        write_keyring_file(path, ring, overwrite=True)
        keys.state().forget()
        audit.record("keys.rotated", detail=ring.active_key_id)
        db.session.commit()
        click.echo(f"New active key {ring.active_key_id}; older keys now only decrypt.")
    count = _rewrap_all(progress)
    click.echo(f"Rewrapped {count} data keys. Nothing is left under an older key.")


@keys_group.command("rotate-index")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar.")
def rotate_index(progress: bool) -> None:
    """Make a new blind-index key and recompute every blind index with it."""
    path = _key_file()
    ring = keys.keyring().with_new_index_key()
    write_keyring_file(path, ring, overwrite=True)
    keys.state().forget()
    audit.record("keys.index_rotated")
    db.session.commit()
    click.echo(f"Recomputed {recompute_blind_indexes(progress)} blind indexes.")


def recompute_blind_indexes(show_progress: bool = False) -> int:
    """Decrypt every indexed field and write its index under the current index key."""
    count = 0
    for mapper in list(Base.registry.mappers):
        model = mapper.class_
        specs = [s for s in getattr(model, "encrypted_fields", ()) if s.index in NORMALISERS]
        if not specs:
            continue
        ids = db.session.scalars(select(model.id).order_by(model.id)).all()
        for start in tqdm(
            range(0, len(ids), BATCH), disable=not show_progress, desc=model.__tablename__
        ):
            for record in db.session.scalars(
                select(model).where(model.id.in_(ids[start : start + BATCH]))
            ):
                for spec in specs:
                    value = spec.__get__(record)
                    setattr(
                        record,
                        spec.index_attr,
                        spec.blind_index(model, value) if value is not None else None,
                    )
                    count += 1
            db.session.commit()
            db.session.expunge_all()
    return count


@keys_group.command("retire")
@click.argument("key_id")
def retire(key_id: str) -> None:
    """Remove an old key from the keyring. Refuses while anything still uses it."""
    path = _key_file()
    ring = keys.keyring()
    if key_id not in ring.key_ids:
        raise click.ClickException(f"No key {key_id} in the keyring.")
    if key_id == ring.active_key_id:
        raise click.ClickException("That is the active key: rotate first.")
    in_use = db.session.scalar(
        select(func.count()).where(DataKey.kek_id == key_id, DataKey.wrapped.is_not(None))
    )
    if in_use:
        raise click.ClickException(
            f"Key {key_id} still protects {in_use} data keys: run `keys rotate` to finish."
        )
    write_keyring_file(path, ring.without_key(key_id), overwrite=True)
    keys.state().forget()
    audit.record("keys.retired", detail=key_id)
    db.session.commit()
    click.echo(f"Key {key_id} retired.")


__all__ = ["KeyringError", "keys_group"]
