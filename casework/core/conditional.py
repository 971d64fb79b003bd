"""Writes that count once: a conditional update and an insert that yields to an existing row.

Two requests answering the same thing at once (a referral accepted twice, an accept racing a
decline, a closure approved twice) both read "pending" and both decide to act. The check in
Python cannot stop the second; the write itself must carry the condition:

    UPDATE referrals SET status = 'accepted' WHERE id = :id AND status IN ('pending')

On PostgreSQL the second UPDATE waits for the first transaction's row lock, then evaluates
its WHERE again on the committed row and matches nothing. On SQLite writers are serialised by
the database's write lock: the second UPDATE runs after the first commits and matches nothing.
Either way exactly one request sees one row changed; the other gets False and tells the person
(never a 500).

The states a change may start from come from the domain's transitions tables
(`Transitions.sources(event)`), so the rule stays in one place.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, inspect, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.attributes import set_committed_value


def update_if(obj: Any, condition: ColumnElement[bool] | None, /, **values: Any) -> bool:
    """Set `values` on `obj`'s row only where `condition` still holds in the database.

    True when this transaction changed the row: `obj` then carries the values (no second
    UPDATE is sent). False when the row no longer matches (someone else acted first): `obj` is
    expired, so it reloads the current state for the message. A model with a version column
    gets it bumped, so an edit form opened before stays refused as stale."""
    state = inspect(obj)
    mapper = state.mapper
    session = state.session
    if session is None or state.identity is None:
        raise ValueError("update_if needs a persistent object")
    model = mapper.class_
    where = [
        getattr(model, mapper.get_property_by_column(column).key) == ident
        for column, ident in zip(mapper.primary_key, state.identity, strict=True)
    ]
    if condition is not None:
        where.append(condition)
    changes = dict(values)
    reload: list[str] = []
    if mapper.version_id_col is not None:
        version_key = mapper.get_property_by_column(mapper.version_id_col).key
        changes[version_key] = getattr(model, version_key) + 1
        reload.append(version_key)
    reload += [
        prop.key
        for prop in mapper.column_attrs
        if prop.key not in changes and any(col.onupdate is not None for col in prop.columns)
    ]
    statement = update(model).where(*where).values(changes)
    result = session.execute(statement.execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.expire(obj)
        return False
    for key, value in values.items():
        set_committed_value(obj, key, value)
    if reload:
        session.expire(obj, reload)
    return True


def insert_unless_present(
    session: Session | scoped_session[Any] | Connection, table: Table, values: dict[str, Any]
) -> bool:
    """INSERT `values` into `table` unless a row with the same unique key exists (or is being
    inserted by a concurrent transaction, which PostgreSQL waits for). True when inserted.

    `INSERT ... ON CONFLICT DO NOTHING` on PostgreSQL and SQLite alike: the losing request gets
    False instead of an IntegrityError, so its transaction stays usable (no savepoint needed,
    which pysqlite cannot nest inside the request's transaction)."""
    bind = session if isinstance(session, Connection) else session.get_bind()
    dialect = bind.dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    key = list(table.primary_key.columns)
    statement = builder(table).values(values).on_conflict_do_nothing().returning(*key)
    # RETURNING, not rowcount: the driver may not report a count for this statement.
    return session.execute(statement).first() is not None


def upsert(connection: Connection, table: Table, values: dict[str, Any]) -> None:
    """INSERT `values` into `table`, or UPDATE the row with the same primary key to them:
    `INSERT ... ON CONFLICT (key) DO UPDATE` on PostgreSQL and SQLite alike (one statement, so
    two writers of the same row never meet an IntegrityError)."""
    builder = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    key = [column.name for column in table.primary_key.columns]
    statement = builder(table).values(values)
    changed = {name: statement.excluded[name] for name in values if name not in key}
    connection.execute(statement.on_conflict_do_update(index_elements=key, set_=changed))
