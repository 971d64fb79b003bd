"""Counted attempts: a limit on something a view decides to count (a duplicate check that
saved nothing, a wrong current password), kept in the rate limiter's storage (Redis in
production, memory otherwise) so every worker process counts together.

Flask-Limiter's decorators count requests; these count outcomes. When the storage cannot be
reached the count goes on in this process's memory, as the limiter's own fallback does.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from contextlib import suppress
from dataclasses import dataclass

from flask import current_app
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter, RateLimiter

from casework.core.extensions import limiter

log = logging.getLogger(__name__)
_fallback = MovingWindowRateLimiter(MemoryStorage())


def _strategy() -> RateLimiter:
    return limiter.limiter


@dataclass(frozen=True)
class Throttle:
    """`scope` names what is counted; `setting` is the config key of its limits
    ("5 per minute;20 per hour")."""

    scope: str
    setting: str

    def _limits(self) -> list[RateLimitItem]:
        return list(parse_many(str(current_app.config[self.setting])))

    def _key(self, who: object) -> str:
        # Keyed with the secret, so a storage key cannot be matched to an address or an id.
        secret = str(current_app.config["SECRET_KEY"]).encode()
        return hmac.new(secret, str(who).encode(), hashlib.sha256).hexdigest()[:40]

    def _each(self, call: str, who: object) -> bool:
        key = self._key(who)
        results = []
        for item in self._limits():
            try:
                results.append(getattr(_strategy(), call)(item, "casework", self.scope, key))
            except Exception:  # storage unreachable: count in memory instead
                log.warning("throttle storage unreachable; counting in memory")
                results.append(getattr(_fallback, call)(item, "casework", self.scope, key))
        return all(results)

    def allowed(self, who: object) -> bool:
        """May `who` make one more attempt now?"""
        return self._each("test", who)

    def count(self, who: object) -> bool:
        """Count one attempt; False when this attempt went over the limit."""
        return self._each("hit", who)

    def exhausted(self, who: object) -> bool:
        """After counting: has `who` used up every attempt of some window?"""
        return not self.allowed(who)

    def clear(self, who: object) -> None:
        key = self._key(who)
        for item in self._limits():
            for strategy in (_strategy(), _fallback):
                with suppress(Exception):  # best effort: the window ends anyway
                    strategy.clear(item, "casework", self.scope, key)
