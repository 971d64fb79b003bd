"""Searches by identifier never travel in a URL (issue 12, item 12).

A name, a date of birth, a document or phone number typed into the case search is POSTed
(with its CSRF token); the list it leads to is addressed by a short-lived, random token that
stands for the search in the signed-in person's server-side session. The URL (browser
history, proxy and access logs, the Referer of any link) carries the token and the
non-identifying filters only; the token means nothing to anyone else, or after a while.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import session

from casework.core.db import utcnow
from casework.core.session_store import keep_out_of_copies

SESSION_KEY = "case_searches"
keep_out_of_copies(SESSION_KEY)  # a name typed stays out of the database (decision 0180)
LIFETIME = timedelta(minutes=30)
KEPT = 10  # the latest searches of a session, for the back button and the pages of each


def remember(q: str, search_in: str) -> str:
    """A new token for the search `q` in `search_in`, kept in this session."""
    now = utcnow()
    kept = {
        token: entry
        for token, entry in dict(session.get(SESSION_KEY) or {}).items()
        if not _expired(entry, now)
    }
    token = secrets.token_urlsafe(12)
    kept[token] = {"q": q, "in": search_in, "at": now.isoformat()}
    newest = sorted(kept.items(), key=lambda item: item[1]["at"])[-KEPT:]
    session[SESSION_KEY] = dict(newest)
    return token


def recall(token: str) -> tuple[str, str] | None:
    """The search a token stands for, if this session made it and it has not expired."""
    entry = (session.get(SESSION_KEY) or {}).get(token)
    if not isinstance(entry, dict) or _expired(entry, utcnow()):
        return None
    return str(entry["q"]), str(entry["in"])


def _expired(entry: dict[str, str], now: datetime) -> bool:
    try:
        return datetime.fromisoformat(entry["at"]) + LIFETIME < now
    except (KeyError, TypeError, ValueError):
        return True
