"""The one object loader of the views: load, check it belongs where the URL says, authorise.

A missing object, an object that is not a child of the URL's parent (a consent of another
case), and an object the policy refuses all answer the same 404, and each writes the same one
durable audit event (`access.not_found` or `access.denied`): the two paths cost the same
writes, so the time of the answer does not tell a refused record from a missing one (issue
12, item 15).
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from flask import abort
from sqlalchemy import inspect
from sqlalchemy.orm import MANYTOONE

from casework.core.extensions import db
from casework.policy import Action
from casework.web.access import authorize, record_not_found

T = TypeVar("T")


def load_or_404(model: type[T], ident: uuid.UUID, action: Action, parent: Any = None) -> T:
    """The `model` row `ident`, after the policy allowed `action` on it. With `parent`, the
    row must also belong to it (its foreign key to the parent's table names the parent)."""
    obj = db.session.get(model, ident)
    if obj is None or (parent is not None and not belongs_to(obj, parent)):
        record_not_found(action, (getattr(model, "__tablename__", model.__name__), ident))
        abort(404)
    authorize(action, obj)
    return obj


def belongs_to(obj: Any, parent: Any) -> bool:
    """Whether `obj` is a child of `parent`: a many-to-one relationship of `obj` to the
    parent's class whose foreign key holds the parent's primary key."""
    mapper = inspect(type(obj))
    parent_key = inspect(parent).identity
    for relation in mapper.relationships:
        if relation.direction is not MANYTOONE or not isinstance(parent, relation.mapper.class_):
            continue
        values = tuple(
            getattr(obj, mapper.get_property_by_column(column).key)
            for column in relation.local_columns
        )
        if values == parent_key:
            return True
    return False
