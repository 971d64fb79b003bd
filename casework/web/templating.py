"""Template globals and filters, all registered in one place by one mechanism.

Each package that offers templates something declares it as data: a `TEMPLATE_GLOBALS`
mapping (and `TEMPLATE_FILTERS`, for filters) in its `templating.py` (referrals: `display.py`).
The app factory passes every declaration to `register()`, which refuses a name declared twice,
so a template helper is found by searching for its name in those mappings.

This module declares what every page uses: the policy's `can` and `Action`, the domain's
status enums, the navigation, languages, the version, dates and moments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask
from flask_babel import get_locale
from flask_login import current_user

from casework.core import VERSION
from casework.domain import ENUMS
from casework.policy import Action, can
from casework.vocab import OUTCOMES, ROLES, TARGET_KINDS, country_name, event_label
from casework.web.dates import day, moment
from casework.web.i18n import offered_language_names
from casework.web.navigation import nav_items


def can_here(action: Action | str, obj: Any = None) -> bool:
    """`can(Action.X, obj)` in a template: may the signed-in user do it?"""
    return can(current_user, action, obj)


TEMPLATE_GLOBALS: dict[str, Any] = {
    "can": can_here,
    "Action": Action,
    "nav_items": nav_items,
    "role_label": ROLES.label,
    "country_name": country_name,
    # Audit and timeline events in words (casework/vocab/events.py).
    "event_label": event_label,
    "event_outcome_label": OUTCOMES.label,
    "target_kind_label": TARGET_KINDS.label,
    "language_names": offered_language_names,
    "get_locale": get_locale,
    "casework_version": VERSION,
    # Dates in the reader's format and their agency's time zone (also the filters |day and
    # |moment): casework/web/dates.py. `iso_day` is the older name of `day`.
    "day": day,
    "moment": moment,
    "iso_day": day,
    # Status codes and events as enums (`referral.status == ReferralStatus.DECLINED`,
    # `referral.allows(ReferralEvent.COMPLETE)`): templates spell no status as a string.
    **ENUMS,
}


def register(
    app: Flask,
    globals_: Iterable[Mapping[str, Any]],
    filters: Iterable[Mapping[str, Callable[..., Any]]] = (),
) -> None:
    """Make every declared global and filter available to every template."""
    for target, declarations in (
        (app.jinja_env.globals, globals_),
        (app.jinja_env.filters, filters),
    ):
        seen: set[str] = set()
        for declared in declarations:
            twice = seen & set(declared)
            if twice:
                raise RuntimeError(f"template helper declared twice: {sorted(twice)}")
            seen |= set(declared)
            target.update(declared)
