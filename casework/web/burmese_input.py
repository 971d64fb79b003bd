"""Every form field and query typed in Zawgyi Burmese reaches the views in Unicode.

One place for every endpoint present and future: before the view, each value of the query
string and of a posted form that is Zawgyi (casework/core/burmese.py) is converted, so stored
names, notes and searches are all Unicode. Passwords and the CSRF token are never touched.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from casework.core.burmese import has_burmese, to_unicode

_UNTOUCHED = ("password", "csrf_token")


def _converted(pairs: MultiDict[str, str]) -> ImmutableMultiDict[str, str] | None:
    """The pairs with Zawgyi values converted; None when nothing changes."""
    changed = False
    items = []
    for key, value in pairs.items(multi=True):
        if has_burmese(value) and not any(word in key for word in _UNTOUCHED):
            unicode = to_unicode(value)
            changed = changed or unicode != value
            value = unicode
        items.append((key, value))
    return ImmutableMultiDict(items) if changed else None


def convert_zawgyi() -> None:
    args = _converted(request.args)
    if args is not None:
        request.args = args
    if request.method in {"POST", "PUT", "PATCH"}:
        form = _converted(request.form)
        if form is not None:
            request.form = form


def init_app(app: Flask) -> None:
    app.before_request(convert_zawgyi)
